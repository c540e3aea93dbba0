# Exchange with partners' systems: DHIS2, IATI, HXL (issue #7).

nav-exchange = Exchange
exchange-title = Data exchange (DHIS2)
exchange-intro = Import and export aggregate values in DHIS2's formats (dataValueSets JSON or CSV, ADX XML) through the mapping between our codes and the partner's. An import is all or nothing: if there is a conflict, nothing is written.
exchange-import-title = Import a DHIS2 file
exchange-import-help = Paste the content of the partner's file (JSON, CSV or ADX). Each value goes through the mapping, then through the same checks as our own imports (part ≤ total, F + M = total, regions ≤ national).
exchange-format = Format
exchange-format-auto = Detect automatically
exchange-file = File content
exchange-organisation = Reporting organisation (when the file names none)
exchange-import-what-maps = Import what maps and ignore the rest
exchange-import = Import
exchange-status-success = Import succeeded.
exchange-status-warning = Partial import: the values with no mapping were ignored.
exchange-status-error = Nothing was imported: fix the conflicts below.
exchange-counts = { $imported ->
    [one] 1 value imported
   *[other] { $imported } values imported
}, { $updated } updated, { $ignored } ignored.
exchange-conflicts = Conflicts
exchange-conflict-what = Element
exchange-conflict-code = Code received
exchange-conflict-why = Problem
exchange-at-value = (value no. { $index })
exchange-property-dataElement = Data element (indicator)
exchange-property-dataelement = Data element (indicator)
exchange-property-period = Period
exchange-property-orgUnit = Organisation unit (territory)
exchange-property-orgunit = Organisation unit (territory)
exchange-property-categoryOptionCombo = Category option combo (disaggregation)
exchange-property-attributeOptionCombo = Reporting organisation
exchange-property-category = Category (dimension)
exchange-property-categoryOption = Category option
exchange-property-value = Value
exchange-property-file = File
exchange-property-row = Row
exchange-property-mapping = Mapping
exchange-property-idScheme = Identifier scheme
exchange-export-title = Export values
exchange-dataset = Data set
exchange-all-mapped = Every indicator in the mapping
exchange-export = Download
exchange-mapping-title = Mapping
exchange-mapping-count = { $count ->
    [one] 1 row in the mapping.
   *[other] { $count } rows in the mapping.
}
exchange-mapping-download = Download the mapping (CSV)
exchange-mapping-help = Columns kind,code,dhis2_code,note. Kinds: indicator, combo (sex=F), dimension (sex), option (sex=F), territory, organisation, dataset, period. The new mapping replaces the old one, all or nothing.
exchange-mapping-file = New mapping (CSV)
exchange-mapping-replace = Replace the mapping
exchange-mapping-saved = { $count ->
    [one] Mapping saved: 1 row.
   *[other] Mapping saved: { $count } rows.
}
exchange-row-problem = Line { $line }, column { $column }: { $problem }
exchange-mapping-invalid = { $count ->
    [one] The mapping was not replaced: 1 problem to fix.
   *[other] The mapping was not replaced: { $count } problems to fix.
}
values-download-xlsx = Download as XLSX
values-download-hxl = Download with HXL hashtags (CSV)

# Publication: statistical disclosure control
audience-label = Publication
audience-internal = Internal use (every figure)
audience-partners = Partners (small counts withheld)
audience-public = Public (small counts withheld)
field-audience = Publication
values-withheld-mark = ×
values-withheld-legend = × : figure withheld (statistical confidentiality): fewer people than the publication threshold, or withheld so that such a figure cannot be recomputed from the totals.
