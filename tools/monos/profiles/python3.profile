# CPython 3 (Debian's /usr/bin/python3.X): the standard library, which the interpreter
# finds next to itself (/usr/lib/python3.X/os.py) and which the ELF does not name. Its
# extension modules (lib-dynload/*.so) bring their own libraries: _ssl and _hashlib
# libssl and libcrypto, _sqlite3 libsqlite3, and so on.
match python3 python3.[0-9] python3.[0-9][0-9]
add /usr/lib/${name}
add? /etc/${name}                 # sitecustomize.py is a symlink into it
# Left out to keep the image small: the test suite, byte-code caches (Python compiles
# what it imports), and the files for building C extensions (25 MB of static libpython).
# Debian's add-on packages live in /usr/lib/python3/dist-packages: --add it when needed.
# __pycache__ is kept: without it every run compiles what it imports again.
exclude /usr/lib/${name}/test /usr/lib/${name}/idlelib /usr/lib/${name}/config-*
