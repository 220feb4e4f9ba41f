#!/usr/bin/env python3
"""A real SMTP server for Kinora's tests (aiosmtpd), keeping what it receives as JSON.

Usage: capture.py PORT DIR

Listens on 127.0.0.1:PORT (plain SMTP, no authentication) and writes each message it accepts to
DIR/<n>.json: envelope sender and recipients, the headers Kinora's tests look at, the decoded
plain-text and HTML parts. A recipient whose local part starts with `refused` is answered
`550 5.1.1` (a permanent refusal). Prints `ready` once it accepts connections, then runs until
its standard input closes or it is terminated.
"""

import email
import email.policy
import json
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Capture:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].startswith("refused"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message.get("Subject", "")),
            "header_from": str(message.get("From", "")),
            "header_to": str(message.get("To", "")),
            "list_unsubscribe": message.get("List-Unsubscribe"),
            "list_unsubscribe_post": message.get("List-Unsubscribe-Post"),
            "content_type": message.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        with self.lock:
            self.count += 1
            name = f"{self.count:06d}.json"
        temporary = os.path.join(self.directory, f".{name}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(temporary, os.path.join(self.directory, name))
        return "250 Message accepted for delivery"


def main():
    port = int(sys.argv[1])
    directory = sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Capture(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
