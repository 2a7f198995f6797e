"""An aiosmtpd handler for Letterpress's tests: every accepted message is written to
DIRECTORY as NNNNN.eml, its bytes exactly as the client sent them after DATA (dot-unstuffed,
the final "." line removed; no header added), with NNNNN.json holding the envelope.
Recipients whose local part starts with "refuse" are refused with 550, "tempfail" with 451
every time, and "flaky" with 451 the first time only (for the failure and retry tests). Run: PYTHONPATH=<this folder> python3 -m aiosmtpd -n -l 127.0.0.1:PORT
-c smtp_sink.RawSink DIRECTORY
"""

import itertools
import json
import os


class RawSink:
    def __init__(self, directory):
        self.directory = directory
        self.count = itertools.count()
        self.seen = set()

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("RawSink takes one argument: the directory")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("refuse"):
            return "550 5.1.1 <%s>: Recipient address rejected: test sink refuses it" % address
        if address.split("@")[0].startswith("tempfail"):
            return "451 4.7.1 <%s>: try again later (test sink)" % address
        if address.split("@")[0].startswith("flaky") and address not in self.seen:
            self.seen.add(address)
            return "451 4.7.1 <%s>: greylisted, try again later (test sink)" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.count)
        base = os.path.join(self.directory, "%05d" % n)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".json.tmp", base + ".json")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK queued as %05d" % n
