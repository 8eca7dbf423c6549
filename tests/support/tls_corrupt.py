"""Completes a TLS handshake, sends one good record, waits until the server sends something back
(so the server is done with its handshake and serving), then sends one record whose ciphertext
is corrupted (a flipped byte, as a faulty middlebox would), and says whether the server then ends
the connection.

Usage: tls_corrupt.py PORT VERSION (1.2 or 1.3). The good record is a whole HTTP request (an HTTPS
server answers it; a lamp port sends its sync frames anyway). Prints "handshake TLSv1.x", then
"closed" once the server ends the connection, or "open" if it is still open after 30 s.
"""
import socket
import ssl
import sys

port, version = int(sys.argv[1]), sys.argv[2]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # the server is under test, not its certificate
context.minimum_version = context.maximum_version = {
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}[version]
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
sock = socket.create_connection(("127.0.0.1", port))
sock.settimeout(30)
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        sock.sendall(outgoing.read())
        incoming.write(sock.recv(65536))
sock.sendall(outgoing.read())
print(f"handshake {tls.version()}", flush=True)
tls.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
sock.sendall(outgoing.read())
# In TLS 1.3 the client's handshake ends before the server's: a record sent at once may reach
# the server with the client's Finished and fail as part of the handshake. Data from the server
# says it is past it.
while True:
    try:
        if tls.read(65536):
            break
    except ssl.SSLWantReadError:
        incoming.write(sock.recv(65536))
tls.write(b"GET / HTTP/1.1\r\n")
record = bytearray(outgoing.read())
record[-1] ^= 0xFF  # the last byte of the authentication tag
sock.sendall(bytes(record))
try:
    while sock.recv(65536):
        pass  # an alert, or session tickets, before the end
    print("closed", flush=True)
except ConnectionResetError:
    print("closed", flush=True)
except socket.timeout:
    print("open", flush=True)
sock.close()
