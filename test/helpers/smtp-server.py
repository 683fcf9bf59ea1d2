# A real SMTP server for the certificate monitor tests (Debian's python3-aiosmtpd): listens on 127.0.0.1,
# offers STARTTLS with the given certificate and requires it before AUTH (PLAIN/LOGIN, one user and password),
# and writes each received message to OUTDIR/<n>.json (envelope and the message as received).
# Usage: /usr/bin/python3 smtp-server.py PORT OUTDIR CERT KEY USER PASSWORD
import json
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, outdir, cert, key, user, password = sys.argv[1:7]
counter = {"n": 0}


class Handler:
    async def handle_DATA(self, server, session, envelope):
        counter["n"] += 1
        path = os.path.join(outdir, "%04d.json" % counter["n"])
        with open(path + ".tmp", "w") as f:
            json.dump(
                {
                    "from": envelope.mail_from,
                    "to": envelope.rcpt_tos,
                    "tls": session.ssl is not None,
                    "authenticated": bool(session.authenticated),
                    "data": envelope.content.decode("utf8", "replace"),
                },
                f,
            )
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=int(port),
    tls_context=context,
    require_starttls=True,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=True,
)
controller.start()
print("READY", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
