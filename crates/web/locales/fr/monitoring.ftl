# Tableaux de bord par nœud de cadre et tableau croisé (issue #3).
monitoring-status-achieved = atteint
monitoring-status-in_progress = en cours
monitoring-status-not_started = non commencé
monitoring-band-achieved = cible atteinte
monitoring-band-on_track = en bonne voie
monitoring-band-behind = en retard
monitoring-actions-achieved = { $count ->
    [one] { $count } action atteinte
   *[other] { $count } actions atteintes
}
monitoring-actions-in_progress = { $count ->
    [one] { $count } action en cours
   *[other] { $count } actions en cours
}
monitoring-actions-not_started = { $count ->
    [one] { $count } action non commencée
   *[other] { $count } actions non commencées
}
monitoring-actions-unmeasured = { $count ->
    [one] { $count } sans indicateur
   *[other] { $count } sans indicateur
}
monitoring-columns = Colonnes (tableau croisé)
monitoring-no-columns = aucune
monitoring-pivot-csv = Télécharger le tableau croisé (CSV)
