#!/usr/bin/perl
# Exec storm generator: starts `/bin/true PREFIX<i>` (i = 1, 2, ...) for SECONDS at RATE per
# second (0 = as fast as one process can fork), paced in batches every 10 ms: at each tick it
# starts as many processes as the schedule says are due by then, so a slow tick is made up at the
# next one, never beyond the schedule. Each process is one fork of this small perl process plus
# one execve. Prints "<started> <elapsed seconds>"; the caller computes the achieved rate.
#   storm.pl RATE SECONDS PREFIX
use strict;
use warnings;
use Time::HiRes qw(time sleep);
use POSIX ();

my ($rate, $seconds, $prefix) = @ARGV;
die "usage: storm.pl RATE SECONDS PREFIX\n" unless defined $prefix;
$SIG{CHLD} = 'IGNORE';    # the kernel reaps the children; no zombies, no waitpid cost
my $t0 = time;
my $end = $t0 + $seconds;
my $n = 0;
while ((my $now = time) < $end) {
  my $due = $rate > 0 ? int(($now - $t0) * $rate) + 1 : $n + 100;
  while ($n < $due && ($n % 16 || time < $end)) {
    my $pid = fork;
    if (!defined $pid) { sleep 0.001; next; }    # EAGAIN: retry, the schedule stays honest
    if ($pid == 0) { exec('/bin/true', $prefix . ($n + 1)) or POSIX::_exit(127); }
    $n++;
  }
  sleep 0.01 if $rate > 0;
}
printf "%d %.3f\n", $n, time - $t0;
