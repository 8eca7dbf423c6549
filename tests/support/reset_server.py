"""A lamp server that resets (RST) its first connection on command, for fault-injection tests.

Prints its port. Connection 1: sends ON and half a COLOR frame, waits for a line on stdin, then
closes with SO_LINGER 0 (the kernel sends RST). Connection 2: sends OFF, reads to EOF, prints
"eof" when the lamp closed cleanly or the error's name otherwise.
"""
import socket
import struct
import sys

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)

first, _ = server.accept()
first.sendall(bytes.fromhex("120000 200003ff"))
sys.stdin.readline()
first.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
first.close()

second, _ = server.accept()
second.sendall(bytes.fromhex("130000"))
try:
    while second.recv(4096):
        pass
    print("eof", flush=True)
except OSError as error:
    print(type(error).__name__, flush=True)
