# Lua 5.4 (Debian's lua5.4): modules are found through package.path and package.cpath,
# whose system directories are these; C modules (*.so) bring their own libraries.
match lua5.4
add? /usr/share/lua/5.4 /usr/local/share/lua/5.4
add? /usr/lib/x86_64-linux-gnu/lua/5.4 /usr/local/lib/lua/5.4
