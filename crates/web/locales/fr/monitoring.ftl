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

# Notes sous un tableau de valeurs
note-records-people = { $people } personnes comptées à partir des dossiers (chacune une seule fois, toutes organisations confondues)
note-reported-twice = { $line } : déclaré par { $count } organisations ({ $organisations }) et additionné ; vérifiez qu'il n'y a pas de double compte
note-total-computed = total calculé à partir des lignes affichées (aucun total n'a été déclaré)
note-lines-sum = les lignes totalisent { $parts }, le total est { $total } : { $rest } non ventilés
note-withheld = { $count } chiffre(s) masqué(s) : moins de { $threshold } personnes, ou pour protéger un tel chiffre
note-knowledge-gain = gain de connaissances d'après les tests de { $groups } groupe(s) de formation, { $participants } participants : score moyen d'entrée { $entry } %, de sortie { $exit } % ({ $gain } points)
note-scores-per-group = les scores des tests sont par groupe : ils ne se ventilent pas par personne
note-scores-reported = { $count } valeur(s) déclarée(s) pour cet indicateur ne s'ajoutent pas aux scores des tests
