# Échanges avec les systèmes des partenaires : DHIS2, IATI, HXL (issue #7).

nav-exchange = Échanges
exchange-title = Échanges de données (DHIS2)
exchange-intro = Importer et exporter des valeurs agrégées au format DHIS2 (dataValueSets JSON ou CSV, ADX XML) grâce à la table de correspondance entre nos codes et ceux du partenaire. Un import est tout ou rien : s'il y a un conflit, rien n'est écrit.
exchange-import-title = Importer un fichier DHIS2
exchange-import-help = Collez le contenu du fichier reçu du partenaire (JSON, CSV ou ADX). Chaque valeur passe par la table de correspondance puis par les mêmes contrôles que nos imports (partie ≤ total, F + M = total, régions ≤ national).
exchange-format = Format
exchange-format-auto = Détecter automatiquement
exchange-file = Contenu du fichier
exchange-organisation = Organisation déclarante (si le fichier n'en indique pas)
exchange-import-what-maps = Importer ce qui correspond et ignorer le reste
exchange-import = Importer
exchange-status-success = Import réussi.
exchange-status-warning = Import partiel : les valeurs sans correspondance ont été ignorées.
exchange-status-error = Rien n'a été importé : corrigez les conflits ci-dessous.
exchange-counts = { $imported ->
    [one] 1 valeur importée
   *[other] { $imported } valeurs importées
}, { $updated ->
    [one] 1 mise à jour
   *[other] { $updated } mises à jour
}, { $ignored ->
    [one] 1 ignorée
   *[other] { $ignored } ignorées
}.
exchange-conflicts = Conflits
exchange-conflict-what = Élément
exchange-conflict-code = Code reçu
exchange-conflict-why = Problème
exchange-at-value = (valeur n° { $index })
exchange-property-dataElement = Élément de données (indicateur)
exchange-property-dataelement = Élément de données (indicateur)
exchange-property-period = Période
exchange-property-orgUnit = Unité d'organisation (territoire)
exchange-property-orgunit = Unité d'organisation (territoire)
exchange-property-categoryOptionCombo = Combinaison de catégories (désagrégation)
exchange-property-attributeOptionCombo = Organisation déclarante
exchange-property-category = Catégorie (dimension)
exchange-property-categoryOption = Option de catégorie
exchange-property-value = Valeur
exchange-property-file = Fichier
exchange-property-row = Ligne
exchange-property-mapping = Table de correspondance
exchange-property-idScheme = Schéma d'identifiants
exchange-export-title = Exporter des valeurs
exchange-dataset = Ensemble de données
exchange-all-mapped = Tous les indicateurs de la table
exchange-export = Télécharger
exchange-mapping-title = Table de correspondance
exchange-mapping-count = { $count ->
    [one] 1 ligne dans la table.
   *[other] { $count } lignes dans la table.
}
exchange-mapping-download = Télécharger la table (CSV)
exchange-mapping-help = Colonnes kind,code,dhis2_code,note. Types : indicator, combo (sex=F), dimension (sex), option (sex=F), territory, organisation, dataset, period. La nouvelle table remplace l'ancienne, tout ou rien.
exchange-mapping-file = Nouvelle table (CSV)
exchange-mapping-replace = Remplacer la table
exchange-mapping-saved = { $count ->
    [one] Table enregistrée : 1 ligne.
   *[other] Table enregistrée : { $count } lignes.
}
exchange-row-problem = Ligne { $line }, colonne { $column } : { $problem }
exchange-mapping-invalid = { $count ->
    [one] La table n'a pas été remplacée : 1 problème à corriger.
   *[other] La table n'a pas été remplacée : { $count } problèmes à corriger.
}
values-download-xlsx = Télécharger en XLSX
values-download-hxl = Télécharger avec étiquettes HXL (CSV)

# Publication : secret statistique
audience-label = Publication
audience-internal = Usage interne (tous les chiffres)
audience-partners = Partenaires (petits effectifs masqués)
audience-public = Public (petits effectifs masqués)
field-audience = Publication
values-withheld-mark = ×
values-withheld-legend = × : chiffre masqué (secret statistique) : moins de personnes que le seuil de publication, ou masqué pour qu'un tel chiffre ne puisse pas être recalculé à partir des totaux.
