#!/usr/bin/env python3
"""The reference sender of the notification e-mail benchmark: Python's smtplib sending COUNT
messages (plain-text and HTML parts, about the size of Kinora's) one after another over one
connection to 127.0.0.1:PORT. Prints the seconds it took.

Usage: send_reference.py PORT COUNT
"""

import smtplib
import sys
import time
from email.message import EmailMessage


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    text = "Root published a new video: Premiere\n\nWatch the video: http://localhost/w/x\n" * 3
    html = "<!DOCTYPE html><html><body><p>" + text.replace("\n", "<br>") + "</p></body></html>"
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for n in range(count):
            message = EmailMessage()
            message["From"] = "Reference <reference@example.org>"
            message["To"] = f"ref{n}@example.com"
            message["Subject"] = "[Kinora] Root published a new video"
            message["List-Unsubscribe"] = "<http://localhost/unsubscribe?token=x&setting=y>"
            message.set_content(text)
            message.add_alternative(html, subtype="html")
            client.send_message(message)
    print(f"{time.monotonic() - started:.3f}")


if __name__ == "__main__":
    main()
