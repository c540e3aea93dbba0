# Dashboards per framework node and the pivot table (issue #3).
monitoring-status-achieved = achieved
monitoring-status-in_progress = in progress
monitoring-status-not_started = not started
monitoring-band-achieved = target reached
monitoring-band-on_track = on track
monitoring-band-behind = behind
monitoring-actions-achieved = { $count ->
    [one] { $count } action achieved
   *[other] { $count } actions achieved
}
monitoring-actions-in_progress = { $count ->
    [one] { $count } action in progress
   *[other] { $count } actions in progress
}
monitoring-actions-not_started = { $count ->
    [one] { $count } action not started
   *[other] { $count } actions not started
}
monitoring-actions-unmeasured = { $count ->
    [one] { $count } without an indicator
   *[other] { $count } without an indicator
}
monitoring-columns = Columns (pivot)
monitoring-no-columns = none
monitoring-pivot-csv = Download the pivot table (CSV)
monitoring-pivot-xlsx = Download the pivot table (XLSX)

# Notes under a values table
note-records-people = { $people } people counted from case records (each once across organisations)
note-reported-twice = { $line } reported by { $count } organisations ({ $organisations }): summed; check for double counting
note-total-computed = total computed from the lines shown (no total was reported)
note-lines-sum = the lines sum to { $parts }, the total is { $total }: { $rest } not broken down
note-withheld = { $count } figure(s) withheld: fewer than { $threshold } people, or protecting such a figure
note-knowledge-gain = knowledge gain from the tests of { $groups } training group(s), { $participants } participants: mean entry score { $entry } %, exit { $exit } % ({ $gain } points)
note-scores-per-group = test scores are per group: they are not broken down by person
note-scores-reported = { $count } reported value(s) for this indicator are not added to the test scores

# Validation rules (data/rules.json, data sets' "rules"): each message names the rule and the cells.
rule-unique_cell = This value breaks the validation rule “unique cell” (unique_cell): { $cells } is already reported on line { $line }.
rule-part_le_total = This value breaks the validation rule “part ≤ total” (part_le_total): { $cells } is { $value }, above the total { $total } (line { $line }).
rule-parts_sum_total = This value breaks the validation rule “sum of parts = total” (parts_sum_total): { $cells } make { $sum }, the total is { $total } (line { $line }).
rule-territories_le_total = This value breaks the validation rule “territories ≤ total” (territories_le_total): the regions make { $sum }, above the national total { $total } (line { $line }).
rule-range = This value breaks the validation rule “range” (range): { $value } is outside { $bounds }.
rule-required = This value is required by the validation rule “required” (required): { $cells } of { $indicator }.
rule-percent_recomputed = This value breaks the validation rule “percentage recomputed” (percent_recomputed): { $numerator } / { $denominator } = { $computed } %, not { $value } %.
note-crosswalk = finer bands summed into the bands of { $set } through the crosswalk: { $values }
note-crosswalk-unmapped = { $values } straddle(s) two bands of { $set }: not mapped, left out of the lines
note-overlapping = { $values } overlap (a person may be in several): the lines are not summed into a total
