"""bench/results.py: the raw results the comparison scripts (server_features.sh,
replication.sh, datamodel.sh) write, read back for their reports.

results: one line per figure, "round<TAB>server<TAB>point<TAB>metric<TAB>value"
(an empty value: no figure); notes: "round<TAB>server<TAB>point<TAB>text".
"""
import statistics
from collections import defaultdict


class Results:
    def __init__(self, results_path, notes_path):
        self.values = defaultdict(dict)  # (server, point, metric) -> {round: value}
        for line in open(results_path):
            r, s, p, m, v = line.rstrip("\n").split("\t")
            if v:
                self.values[(s, p, m)][int(r)] = float(v)
        self.notes = defaultdict(list)  # (server, point) -> distinct notes, first seen first
        for line in open(notes_path):
            r, s, p, text = line.rstrip("\n").split("\t", 3)
            if text not in self.notes[(s, p)]:
                self.notes[(s, p)].append(text)
        self.rounds = sorted({r for d in self.values.values() for r in d})

    def med(self, s, p, m):
        """Median over the rounds of one (server, point, metric), or None."""
        d = self.values.get((s, p, m))
        return statistics.median(d.values()) if d else None

    def ratio(self, a, b):
        """Median of the per-round ratios of two (server, point, metric) keys."""
        per = [self.values[a][r] / self.values[b][r] for r in self.rounds
               if r in self.values.get(a, {}) and self.values.get(b, {}).get(r)]
        return statistics.median(per) if per else None
