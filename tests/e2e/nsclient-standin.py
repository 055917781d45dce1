#!/usr/bin/env python3
"""nsclient-standin.py: stands in for NSClient++ 0.3.9 on the KM server.

An NRPE version 2 listener that reads contrib/nsclient/NSC.ini as written and
does what NSClient++ 0.3.9's NRPEListener and CheckExternalScripts modules
do with a request (tag 0.3.9 of github mickem/nscp; file:line below):

- [NRPE]/[Settings] allowed_hosts, port, use_ssl (default 1), allow_arguments
  (default 0), allow_nasty_meta_chars (default 0), string_length (1024),
  packet_count (1), performance_data (1): include/config.h:88-114;
- SSL: SSLv23_server_method, cipher list "ADH", the fixed 512-bit DH prime
  (include/SSLSocket.cpp:121-165, include/SSLSocket.h:119-126, 135-138). Python's
  ssl module, like every OpenSSL 3 caller, refuses a DH group under 1024
  bits even at security level 0 (ssl/t1_lib.c ssl_security_default_callback),
  so this listener drives libssl through ctypes with a permissive security
  callback: the one thing a 2011-era OpenSSL did not check.
- a request with arguments while [NRPE] allow_arguments=0, or with one of
  |`&><'"\\[]{} (include/config.h:59), is answered by closing the
  connection (modules/NRPEListener/NRPEListener.cpp:420-435, 335-340);
- [External Scripts] commands, $ARGn$ replaced only when [External Script]
  allow_arguments=1, an argument with a nasty character is "No handler"
  (modules/CheckExternalScripts/CheckExternalScripts.cpp:182-218);
- the program's stdout and stderr together, split at the first '|', trailing
  blanks of the text trimmed, timeout after command_timeout seconds
  (include/execute_process.hpp:56-164);
- the text cut to string_length-2 bytes, "|" and the perfdata appended, the
  payload cut into string_length-1 byte packets of which packet_count are
  sent (NRPEListener.cpp:463-473, include/nrpe/nrpepacket.hpp:211-224).

Programs named C:\\kms\\bin\\X.exe (the --windows-dir prefix) run as
AGENT_DIR/X.exe: the Wine wrappers of tests/e2e/lib-wine.sh. Run as the
agent's account (root here, SYSTEM on the KM server). Every request is
written to --log the way nsclient.log would say it.
"""
import argparse
import base64
import ctypes
import ipaddress
import os
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import zlib

NASTY_METACHARS = "|`&><'\"\\[]{}"  # include/config.h:59
QUERY_PACKET, RESPONSE_PACKET, VERSION_2 = 1, 2, 2
STATE_UNKNOWN = 3
# include/SSLSocket.cpp:122-130: NSClient++ 0.3.9's DH parameters.
DH512_P = bytes.fromhex(
    "CFFF65C2C8B4D2688CC180B17BD6E8B3625962EDA7456AF8E9D8BE3F38425FB2"
    "A53603D3062781C89B88503B823D31452CB4C5A5BE6AE32EA686FD6A7E1E6A73")
DH512_G = 2


def read_ini(path):
    """GetPrivateProfileString's view: sections and keys case-insensitive,
    ';' comment lines, lines without '=' are keys with an empty value."""
    sections, current = {}, None
    with open(path, encoding="latin-1") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(";"):
                continue
            if line.startswith("[") and line.endswith("]"):
                current = sections.setdefault(line[1:-1].strip().lower(), [])
                continue
            if current is None:
                continue
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


class Settings:
    def __init__(self, path):
        self.ini = read_ini(path)

    def get(self, section, key, default):
        for k, v in self.ini.get(section.lower(), []):
            if k.lower() == key.lower():
                return v
        return default

    def int(self, section, key, default):
        try:
            return int(self.get(section, key, str(default)))
        except ValueError:
            return 0

    def keys(self, section):
        return self.ini.get(section.lower(), [])


def dh_params_pem():
    """The DER DHParameter (SEQUENCE of INTEGER p, INTEGER g) as PEM."""
    p = b"\x00" + DH512_P
    body = b"\x02" + bytes([len(p)]) + p + b"\x02\x01" + bytes([DH512_G])
    der = b"\x30" + bytes([len(body)]) + body
    return b"-----BEGIN DH PARAMETERS-----\n" + base64.encodebytes(der) + b"-----END DH PARAMETERS-----\n"


class Tls:
    """libssl 3 set up as NSClient++ 0.3.9 sets up its SSL listener."""

    SSL_CTRL_SET_TMP_DH, SET_MIN_PROTO, SET_MAX_PROTO, TLS1_VERSION = 3, 123, 124, 0x301
    SECCB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                             ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)

    def __init__(self, dh_pem):
        lib, crypto = ctypes.CDLL("libssl.so.3"), ctypes.CDLL("libcrypto.so.3")
        vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        for fn, res, args in ((lib.TLS_server_method, vp, []), (lib.SSL_CTX_new, vp, [vp]),
                              (lib.SSL_CTX_ctrl, ctypes.c_long, [vp, ci, ctypes.c_long, vp]),
                              (lib.SSL_CTX_set_cipher_list, ci, [vp, cp]),
                              (lib.SSL_CTX_set_security_callback, None, [vp, self.SECCB]),
                              (lib.SSL_new, vp, [vp]), (lib.SSL_set_fd, ci, [vp, ci]), (lib.SSL_accept, ci, [vp]),
                              (lib.SSL_read, ci, [vp, cp, ci]), (lib.SSL_write, ci, [vp, cp, ci]),
                              (lib.SSL_free, None, [vp]), (crypto.BIO_new_mem_buf, vp, [cp, ci]),
                              (crypto.PEM_read_bio_DHparams, vp, [vp, vp, vp, vp])):
            fn.restype, fn.argtypes = res, args
        self.lib = lib
        self.ctx = lib.SSL_CTX_new(lib.TLS_server_method())
        self.allow_all = self.SECCB(lambda *a: 1)  # kept alive with the context
        lib.SSL_CTX_set_security_callback(self.ctx, self.allow_all)
        lib.SSL_CTX_set_cipher_list(self.ctx, b"ADH")
        # Which TLS versions 0.3.9's OpenSSL had is not documented: TLS 1.0
        # only, the oldest, so that a client that works here works there.
        lib.SSL_CTX_ctrl(self.ctx, self.SET_MIN_PROTO, self.TLS1_VERSION, None)
        lib.SSL_CTX_ctrl(self.ctx, self.SET_MAX_PROTO, self.TLS1_VERSION, None)
        bio = crypto.BIO_new_mem_buf(dh_pem, len(dh_pem))
        if lib.SSL_CTX_ctrl(self.ctx, self.SSL_CTRL_SET_TMP_DH, 0, crypto.PEM_read_bio_DHparams(bio, None, None, None)) != 1:
            raise RuntimeError("the DH parameters were refused")

    def accept(self, sock):
        return TlsStream(self.lib, self.ctx, sock)


class TlsStream:
    def __init__(self, lib, ctx, sock):
        self.lib, self.sock = lib, sock
        self.ssl = lib.SSL_new(ctx)
        lib.SSL_set_fd(self.ssl, sock.fileno())
        if lib.SSL_accept(self.ssl) != 1:
            lib.SSL_free(self.ssl)
            raise OSError("SSL handshake failed")

    def recv(self, n):
        buf = ctypes.create_string_buffer(n)
        got = self.lib.SSL_read(self.ssl, buf, n)
        return buf.raw[:got] if got > 0 else b""

    def sendall(self, data):
        if self.lib.SSL_write(self.ssl, data, len(data)) != len(data):
            raise OSError("SSL write failed")

    def close(self):
        self.lib.SSL_free(self.ssl)
        self.sock.close()



def packet(ptype, result, payload, length):
    """An NRPE v2 packet: version, type, crc32, result, buffer[length], 2
    bytes of padding (the C struct's size), crc over all of it."""
    buf = payload[: length - 1].ljust(length, b"\x00")
    raw = struct.pack("!hhIh", VERSION_2, ptype, 0, result) + buf + b"\x00\x00"
    crc = zlib.crc32(raw) & 0xFFFFFFFF
    return raw[:4] + struct.pack("!I", crc) + raw[8:]


def parse_query(raw, length):
    """The payload of a valid v2 query, or None (NRPEPacket::readFrom and
    validate_query: length, type, version, checksum)."""
    if len(raw) != 10 + length + 2:
        return None
    version, ptype, crc, _ = struct.unpack("!hhIh", raw[:10])
    zeroed = raw[:4] + b"\x00\x00\x00\x00" + raw[8:]
    if version != VERSION_2 or ptype != QUERY_PACKET or zlib.crc32(zeroed) & 0xFFFFFFFF != crc:
        return None
    return raw[10 : 10 + length].split(b"\x00", 1)[0].decode("latin-1")


class Agent:
    def __init__(self, opts):
        self.cfg = Settings(opts.ini)
        self.opts = opts
        self.lock = threading.Lock()
        self.length = self.cfg.int("NRPE", "string_length", 1024)
        self.packets = self.cfg.int("NRPE", "packet_count", 1)
        self.modules = {k.lower() for k, _ in self.cfg.keys("modules")}

    def log(self, text):
        with self.lock, open(self.opts.log, "a", encoding="utf-8") as f:
            f.write(text + "\n")

    def allowed(self, address):
        hosts = self.cfg.get("NRPE", "allowed_hosts", "") or self.cfg.get("Settings", "allowed_hosts", "")
        if not hosts:
            return True
        for entry in hosts.split(","):
            try:
                if ipaddress.ip_address(address) in ipaddress.ip_network(entry.strip(), strict=False):
                    return True
            except ValueError:
                continue
        return False

    def answer(self, payload):
        """(state, text) for a request, or None: the connection is closed."""
        command, _, args = payload.partition("!")
        if command == "_NRPE_CHECK":
            return 0, "I (0.3.9 stand-in) seem to be doing fine..."
        if self.cfg.int("NRPE", "allow_arguments", 0) == 0 and args:
            self.log("Request contained arguments (not currently allowed, check the allow_arguments option).")
            return None
        if self.cfg.int("NRPE", "allow_nasty_meta_chars", 0) == 0 and any(
                c in NASTY_METACHARS for c in command + args):
            self.log("Request command contained illegal metachars!")
            return None
        state, msg, perf = self.external_script(command, args.split("!") if args else [])
        if state is None:
            state, msg = STATE_UNKNOWN, "UNKNOWN: No handler for that command"
        if self.packets == 1 and len(msg) >= self.length - 1:
            self.log("Truncating return data as it is bigger then NRPE allows :(")
            msg = msg[: self.length - 2]
        if perf and self.cfg.int("NRPE", "performance_data", 1) != 0:
            return state, msg + "|" + perf
        return state, msg

    def external_script(self, command, args):
        """CheckExternalScripts::handleCommand: (state, msg, perf), or
        (None, ...) when no [External Scripts] entry handles it."""
        if "checkexternalscripts.dll" not in self.modules:
            return None, "", ""
        line = next((v for k, v in self.cfg.keys("External Scripts") if k.lower() == command.lower()), None)
        if not line:
            return None, "", ""
        if self.cfg.int("External Script", "allow_arguments", 0) == 1:
            for i, arg in enumerate(args, 1):
                if self.cfg.int("External Script", "allow_nasty_meta_chars", 0) == 0 and any(
                        c in NASTY_METACHARS for c in arg):
                    self.log("Request string contained illegal metachars!")
                    return None, "", ""
                line = line.replace("$ARG%d$" % i, arg)
        self.log("running: " + line)
        return self.execute(line, self.cfg.int("External Script", "command_timeout", 60))

    def execute(self, line, timeout):
        """process::executeProcess: stdout and stderr on one pipe."""
        words = line.split()
        prefix = self.opts.windows_dir.lower()
        if not words[0].lower().startswith(prefix):
            return STATE_UNKNOWN, "ExternalCommands: failed to create process (%s): The system cannot find the file specified." % line, ""
        program = os.path.join(self.opts.agent_dir, words[0][len(prefix):])
        try:
            proc = subprocess.run([program] + words[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=timeout, cwd=self.opts.agent_dir)
        except subprocess.TimeoutExpired:
            return STATE_UNKNOWN, "Command (%s) didn't terminate within the timeout period (%ds)!" % (line, timeout), ""
        except OSError as e:
            return STATE_UNKNOWN, "ExternalCommands: failed to create process (%s): %s" % (line, e.strerror), ""
        out = proc.stdout.decode("latin-1")
        if not out:
            return self.state(proc.returncode, line), "No output available from command (%s)." % line, ""
        msg, _, perf = out.partition("|")
        return self.state(proc.returncode, line), msg.rstrip("\n\r "), perf

    def state(self, code, line):
        if 0 <= code <= 3:
            return code
        self.log("The command (%s) returned an invalid return code: %d" % (line, code))
        return STATE_UNKNOWN


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        agent = self.server.agent
        peer = self.client_address[0]
        if not agent.allowed(peer):
            agent.log("Unauthorize access from: " + peer)
            return
        sock = self.request
        sock.settimeout(agent.cfg.int("NRPE", "socket_timeout", 30))
        try:
            if self.server.tls:
                sock = self.server.tls.accept(sock)
            want = 10 + agent.length + 2
            raw = b""
            while len(raw) < want:
                chunk = sock.recv(want - len(raw))
                if not chunk:
                    break
                raw += chunk
        except OSError as e:
            agent.log("Could not read NRPE packet from socket :" + str(e))
            return
        payload = parse_query(raw, agent.length)
        if payload is None:
            reply = (STATE_UNKNOWN, "Could not construct return packet in NRPE handler check client side (nsclient.log) logs...")
        else:
            agent.log("request: " + payload)
            reply = agent.answer(payload)
        if reply is None:
            sock.close()
            return
        data = reply[1].encode("latin-1")
        size = agent.length - 1
        chunks = [data[i : i + size] for i in range(0, len(data), size)] if len(data) >= agent.length else [data]
        chunks = chunks[: agent.packets]
        try:
            for i, chunk in enumerate(chunks):
                sock.sendall(packet(RESPONSE_PACKET if i == len(chunks) - 1 else 3, reply[0], chunk, agent.length))
        except OSError:
            pass
        sock.close()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ini", required=True)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, help="override [NRPE] port")
    ap.add_argument("--agent-dir", required=True)
    ap.add_argument("--windows-dir", default="C:\\kms\\bin\\")
    ap.add_argument("--log", required=True)
    opts = ap.parse_args()
    agent = Agent(opts)
    if "nrpelistener.dll" not in agent.modules:
        agent.log("NRPEListener.dll is not in [modules]: nothing listens")
        return 1
    server = Server((opts.bind, opts.port or agent.cfg.int("NRPE", "port", 5666)), Handler)
    server.agent = agent
    server.tls = Tls(dh_params_pem()) if agent.cfg.int("NRPE", "use_ssl", 1) == 1 else None
    agent.log("listening on %s:%d (ssl %s)" % (opts.bind, server.server_address[1], "on" if server.tls else "off"))
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
