# Perl 5 (Debian's /usr/bin/perl): the module directories of its @INC (`perl -V`). The
# core modules are in perl-base and perl/5.X; XS modules (auto/**/*.so) bring their own
# libraries.
match perl perl5.*
add /usr/lib/x86_64-linux-gnu/perl-base
add? /etc/perl
add? /usr/lib/x86_64-linux-gnu/perl/5.* /usr/share/perl/5.*
add? /usr/lib/x86_64-linux-gnu/perl5/5.* /usr/share/perl5
add? /usr/local/lib/x86_64-linux-gnu/perl/5.* /usr/local/share/perl/5.* /usr/local/lib/site_perl
# Left out: the headers and static libperl for building XS modules.
exclude /usr/lib/x86_64-linux-gnu/perl/5.*/CORE
