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
monitoring-pivot-xlsx = Télécharger le tableau croisé (XLSX)

# Notes sous un tableau de valeurs
note-records-people = { $people } personnes comptées à partir des dossiers (chacune une seule fois, toutes organisations confondues)
note-reported-twice = { $line } : déclaré par { $count } organisations ({ $organisations }) et additionné ; vérifiez qu'il n'y a pas de double compte
note-total-computed = total calculé à partir des lignes affichées (aucun total n'a été déclaré)
note-lines-sum = les lignes totalisent { $parts }, le total est { $total } : { $rest } non ventilés
note-withheld = { $count } chiffre(s) masqué(s) : moins de { $threshold } personnes, ou pour protéger un tel chiffre
note-knowledge-gain = gain de connaissances d'après les tests de { $groups } groupe(s) de formation, { $participants } participants : score moyen d'entrée { $entry } %, de sortie { $exit } % ({ $gain } points)
note-scores-per-group = les scores des tests sont par groupe : ils ne se ventilent pas par personne
note-scores-reported = { $count } valeur(s) déclarée(s) pour cet indicateur ne s'ajoutent pas aux scores des tests

# Règles de validation (data/rules.json, « rules » des jeux de données) : chaque message nomme la règle et les cellules.
rule-unique_cell = Cette valeur enfreint la règle de validation « cellule unique » (unique_cell) : { $cells } est déjà déclaré ligne { $line }.
rule-part_le_total = Cette valeur enfreint la règle de validation « partie ≤ total » (part_le_total) : { $cells } vaut { $value }, plus que le total { $total } (ligne { $line }).
rule-parts_sum_total = Cette valeur enfreint la règle de validation « somme des parties = total » (parts_sum_total) : { $cells } font { $sum }, le total est { $total } (ligne { $line }).
rule-territories_le_total = Cette valeur enfreint la règle de validation « territoires ≤ total » (territories_le_total) : les régions font { $sum }, plus que le total national { $total } (ligne { $line }).
rule-range = Cette valeur enfreint la règle de validation « plage » (range) : { $value } est hors de { $bounds }.
rule-required = Cette valeur est exigée par la règle de validation « obligatoire » (required) : { $cells } de { $indicator }.
rule-percent_recomputed = Cette valeur enfreint la règle de validation « pourcentage recalculé » (percent_recomputed) : { $numerator } / { $denominator } = { $computed } %, et non { $value } %.
note-crosswalk = tranches fines additionnées dans les tranches de { $set } par la table de correspondance : { $values }
note-crosswalk-unmapped = { $values } chevauche(nt) deux tranches de { $set } : non ventilé(s), hors des lignes
note-overlapping = { $values } se recoupent (une personne peut figurer dans plusieurs) : les lignes ne s'additionnent pas en un total
