"""Telling people (issue 14 item 6): messages by e-mail and a signed webhook.

Not the statutory notification (通報, ``incidents.notification``): these are messages to
the people who must act. ``triggers`` finds what deserves a message (a statutory clock at
50/80 %, due, overdue; a review waiting; a new critical suspected case; an @mention),
``render`` writes it in the recipient's language, ``outbox`` keeps every message as a
record and sends it with retries, ``channels`` does the sending (SMTP, webhook).
"""
