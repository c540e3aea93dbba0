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
