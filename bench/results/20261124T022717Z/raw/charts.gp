set terminal pngcairo size 1000,480 font 'sans,10'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set datafile missing '-'
set key outside top center horizontal
set grid ytics
set xtics rotate by -30 nomirror
set bmargin 6
set output 'throughput.png'
set title 'Throughput at 50 clients (redis-benchmark)'
set ylabel 'requests/s (log scale)'
set logscale y
set yrange [*:*]
plot 'raw/throughput.dat' using 2:xtic(1) title 'ringkv', \
     '' using 3 title 'redis-server'

set output 'aof.png'
set title 'SET throughput per appendfsync policy and load point'
set ylabel 'requests/s (log scale)'
set logscale y
set yrange [*:*]
plot 'raw/aof.dat' using 2:xtic(1) title 'ringkv', \
     '' using 3 title 'redis-server'

set output 'fsync.png'
set title 'ringkv: fdatasyncs per second and commands made durable by each'
set ylabel 'log scale'
set logscale y
set yrange [0.5:*]
plot 'raw/fsync.dat' using 2:xtic(1) title 'fdatasyncs/s', \
     '' using 3 title 'commands per fdatasync', \
     2437 with lines lw 2 dt 2 title 'fio fdatasyncs/s (2437)'

set output 'latency.png'
set title 'Mixed 80/20 at 20000 requests/s: latency percentiles'
set ylabel 'ms (log scale)'
set logscale y
set yrange [*:*]
plot 'raw/latency.dat' using 2:xtic(1) title 'ringkv', \
     '' using 3 title 'redis-server'

set output 'bgsave-latency.png'
set title 'GET latency without a save and during BGSAVE'
set ylabel 'ms (log scale)'
set logscale y
set yrange [*:*]
plot 'raw/bgsave-latency.dat' using 2:xtic(1) title 'ringkv', \
     '' using 3 title 'redis-server'
