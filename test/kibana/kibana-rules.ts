/**
 * What Kibana itself requires of an imported saved object, read from Kibana's source (github.com/elastic/kibana)
 * and written down here as data. Each rule names the Kibana file it comes from, with the commit of the
 * copy read where it is known. Paths are those of Kibana 9.x; Kibana 8.x kept the same files under
 * src/plugins/, x-pack/plugins/ and packages/core/.
 */

/**
 * The Kibana versions the objects are held to: README's "Kibana 8.8 or later, 9.x included", the
 * Kibana of docker-compose.yml, and the first 9.x (the strictest 9.x for any "not newer than" rule).
 */
export const KIBANA_VERSIONS = ['8.8.0', '8.19.7', '9.0.0'] as const;
export type KibanaVersion = (typeof KIBANA_VERSIONS)[number];

/** The types we ship; any other type is a mistake the checks report. */
export const SAVED_OBJECT_TYPES = ['index-pattern', 'search', 'lens', 'dashboard'] as const;
export type SavedObjectType = (typeof SAVED_OBJECT_TYPES)[number];

/**
 * Top-level keys of a saved object document. Anything else is refused by the schema every created
 * object is validated against.
 * From src/core/packages/saved-objects/base-server-internal/src/validation/base_schema.ts
 * (69c1cc105170abb7b36b07e14fc800387f1d35df), `baseConfigSchema`.
 */
export const DOCUMENT_KEYS = new Set([
  'id',
  'type',
  'references',
  'namespace',
  'namespaces',
  'migrationVersion',
  'coreMigrationVersion',
  'typeMigrationVersion',
  'updated_at',
  'updated_by',
  'created_at',
  'created_by',
  'version',
  'originId',
  'managed',
  'accessControl',
  'attributes',
]);

/**
 * Core's own document migration: `typeMigrationVersion` (and the end of the per-type `migrationVersion`
 * map) comes with core migration 8.8.0, so a Kibana older than 8.8 does not know the field.
 * From src/core/packages/saved-objects/migration-server-internal/src/document_migrator/migrations/index.ts
 * (82ab9ad284d33380a6f7467ef6dc13eab661c4ae).
 */
export const CORE_MIGRATION_WITH_TYPE_MIGRATION_VERSION = '8.8.0';

/**
 * Legacy migrations stop at this version; every later change is a model version, numbered as the
 * virtual version `10.<model version>.0`. A typeMigrationVersion in between belongs to no Kibana.
 * From src/core/packages/saved-objects/base-server-internal/src/model_version/constants.ts
 * (9e98c9d426b3d3e6f4e1bdeea72275c9d1b94cca): `globalSwitchToModelVersionAt`, `modelVersionVirtualMajor`.
 */
export const GLOBAL_SWITCH_TO_MODEL_VERSION_AT = '8.10.0';
export const MODEL_VERSION_VIRTUAL_MAJOR = 10;

/**
 * A version each type is known to have reached in each Kibana: its last migration, conversion or model
 * version there. The document migrator refuses a document whose typeMigrationVersion is greater than the
 * type's last known version ("belongs to a more recent version of Kibana"), and one whose
 * coreMigrationVersion is greater than Kibana's own version.
 * Rules from src/core/packages/saved-objects/migration-server-internal/src/document_migrator/pipelines/
 * upgrade_pipeline.ts (2c42016152d6f01864b59139f8571249d5d9e12c), `assertCompatibility`, and
 * pipelines/utils.ts (67d5824274397ce1be653fa57b71bcf4ff7d37d0), `assertValidCoreVersion`.
 * Versions from:
 * - index-pattern and search: `convertToMultiNamespaceTypeVersion: '8.0.0'` in
 *   src/platform/plugins/shared/data_views/server/saved_objects/data_views.ts
 *   (385d45e489dcf52d33373d97597e6d331f7154cb) and
 *   src/platform/plugins/shared/saved_search/server/saved_objects/search.ts
 *   (01a60f27774ae611d9cca9877140546d6f273dd1), in every 8.x and 9.x;
 * - lens: the '8.6.0' and '8.9.0' keys of x-pack/platform/plugins/shared/lens/server/migrations/
 *   saved_object_migrations.ts (3ab0fa13492bec220f9614e6bfcabb96301b591e);
 * - dashboard in 8.8: a dashboard Kibana 8.8 wrote, typeMigrationVersion 8.7.0 beside
 *   coreMigrationVersion 8.8.0, in x-pack/plugins/security_solution/public/common/containers/dashboards/
 *   utils.test.ts (b51c0117d1cf11fce2cab39e22480966209cc278); in 8.19 and 9.x, the type's first model
 *   version (virtual version 10.1.0) in src/platform/plugins/shared/dashboard/server/dashboard_saved_object/
 *   dashboard_saved_object.ts (04698d03a6525795ce34443b20a85a3dda762d17). Only the 8.8 bounds are tight
 *   for what we ship; the later ones are lower bounds of what those Kibanas know.
 */
export const KNOWN_TYPE_VERSION: Record<KibanaVersion, Record<SavedObjectType, string>> = {
  '8.8.0': { 'index-pattern': '8.0.0', search: '8.0.0', lens: '8.6.0', dashboard: '8.7.0' },
  '8.19.7': { 'index-pattern': '8.0.0', search: '8.0.0', lens: '8.9.0', dashboard: '10.1.0' },
  '9.0.0': { 'index-pattern': '8.0.0', search: '8.0.0', lens: '8.9.0', dashboard: '10.1.0' },
};

/**
 * The lowest typeMigrationVersion the shape we ship allows: Kibana runs every migration above the
 * declared version, and each of these would rewrite what we ship.
 * - index-pattern 7.11.0 (`addAllowNoIndex`) sets allowNoIndex to undefined for any id but logs-* and
 *   metrics-*: src/platform/plugins/shared/data_views/server/saved_objects/index_pattern_migrations.ts
 *   (437def57ef40330062e2aac9e390313a077cb5cb).
 * - search 7.0.0 (`setNewReferences`) moves `searchSourceJSON.index` into the references; we ship the
 *   `indexRefName` form it produces: src/platform/plugins/shared/saved_search/server/saved_objects/
 *   search_migrations.ts (59720dc268c1c6203749dd13f43e0fc4584041b8).
 * - lens 8.6.0 (`migrateIndexPatternDatasource`) renames datasourceStates.indexpattern to formBased,
 *   the name we ship: saved_object_migrations.ts above, and LensDocShape860 in
 *   x-pack/platform/plugins/shared/lens/server/migrations/types.ts (19698393785a3c02f60dea579458f9ea2157b4a5).
 * - dashboard 7.11.0 (`createExtractPanelReferencesMigration`) produces the `<panelIndex>:<panelRefName>`
 *   references we ship: src/platform/plugins/shared/dashboard/server/dashboard_saved_object/migrations/
 *   dashboard_saved_object_migrations.ts (0e0a37c822a89264b7465df84043ced5a87a8c0e).
 */
export const SHAPE_TYPE_VERSION: Record<SavedObjectType, string> = {
  'index-pattern': '7.11.0',
  search: '7.0.0',
  lens: '8.6.0',
  dashboard: '7.11.0',
};

/**
 * Attributes a type's create schema accepts; the schemas are `unknowns: 'forbid'`, so another key fails
 * the import.
 * - dashboard: src/platform/plugins/shared/dashboard/server/dashboard_saved_object/schema/v1/v1.ts
 *   (3c37204bef8a077edf1758caa45474499c2941c7); later versions only add keys.
 * - search: `SCHEMA_SEARCH_V8_8_0`, registered as the '8.8.0' schema by search.ts above, defined in
 *   src/platform/plugins/shared/saved_search/server/saved_objects/schema.ts (now schema_legacy.ts).
 * - lens: `lensItemAttributesSchema` of x-pack/platform/plugins/shared/lens/server/content_management/
 *   v1/schema/common.ts (01c19933d48bf64c6e0c8f7094cf34c8ff43404c).
 * - index-pattern has no schema; `DataViewAttributes` of src/platform/plugins/shared/data_views/common/
 *   types.ts lists what Kibana reads (`name` since 8.5).
 */
/** A saved search's sort entry is [field] or [field, direction] (`SCHEMA_SEARCH_V8_8_0`, above). */
export const SEARCH_SORT_SIZE = 2;

export const ATTRIBUTE_KEYS: Record<SavedObjectType, ReadonlySet<string>> = {
  dashboard: new Set([
    'title',
    'description',
    'kibanaSavedObjectMeta',
    'timeRestore',
    'timeFrom',
    'timeTo',
    'refreshInterval',
    'controlGroupInput',
    'panelsJSON',
    'optionsJSON',
    'hits',
    'version',
  ]),
  search: new Set([
    'title',
    'description',
    'columns',
    'sort',
    'grid',
    'rowHeight',
    'rowsPerPage',
    'hideChart',
    'breakdownField',
    'kibanaSavedObjectMeta',
    'isTextBasedQuery',
    'usesAdHocDataView',
    'timeRestore',
    'timeRange',
    'refreshInterval',
    'viewMode',
    'hideAggregatedPreview',
    'hits',
    'version',
  ]),
  lens: new Set(['title', 'description', 'visualizationType', 'state', 'version']),
  'index-pattern': new Set([
    'title',
    'name',
    'type',
    'typeMeta',
    'timeFieldName',
    'sourceFilters',
    'fields',
    'fieldFormatMap',
    'fieldAttrs',
    'runtimeFieldMap',
    'allowNoIndex',
  ]),
};

/** Data view attributes Kibana stores as JSON text, not as objects (`DataViewAttributes`, above). */
export const DATA_VIEW_JSON_ATTRIBUTES = [
  'fields',
  'typeMeta',
  'sourceFilters',
  'fieldFormatMap',
  'fieldAttrs',
  'runtimeFieldMap',
] as const;

/**
 * A dashboard panel as stored in panelsJSON, and its grid: the keys panels_out_transforms.ts reads
 * (src/platform/plugins/shared/dashboard/server/content_management/v3/transforms/out/
 * panels_out_transforms.ts, 008a3b465a5f16c43fa5db9844352383202e8365), the bounds of `gridDataSchema`
 * (x, y numbers; 1 <= w <= DASHBOARD_GRID_COLUMN_COUNT; h >= 1) and the options of `optionsSchema`, in
 * src/platform/plugins/shared/dashboard/server/content_management/v3/cm_services.ts
 * (03c86d2809033d1b2a501c1356f0f2fbf35e4ed7). A panel's reference is named
 * `<panelIndex>:<panelRefName>` (`getReferencesForPanelId`) and gives the panel its type.
 */
export const PANEL_KEYS = new Set([
  'embeddableConfig',
  'gridData',
  'id',
  'panelIndex',
  'panelRefName',
  'title',
  'type',
  'version',
]);
export const GRID_DATA_KEYS = new Set(['x', 'y', 'w', 'h', 'i', 'sectionId']);
export const DASHBOARD_GRID_COLUMN_COUNT = 48;
export const DASHBOARD_OPTIONS = new Set([
  'hidePanelTitles',
  'useMargins',
  'syncColors',
  'syncTooltips',
  'syncCursor',
]);
/** The embeddables our panels use; each must be a type we ship. */
export const PANEL_TYPES = new Set<SavedObjectType>(['lens', 'search']);

/**
 * Kibana field types by Elasticsearch type.
 * From src/platform/packages/shared/kbn-field-types/src/kbn_field_types_factory.ts
 * (0f64c8b8f3ca296e9ab3a263e0a91e2ada795597).
 */
export const KIBANA_FIELD_TYPE: Record<string, string> = {
  text: 'string',
  match_only_text: 'string',
  keyword: 'string',
  version: 'string',
  float: 'number',
  half_float: 'number',
  scaled_float: 'number',
  double: 'number',
  integer: 'number',
  long: 'number',
  unsigned_long: 'number',
  short: 'number',
  byte: 'number',
  date: 'date',
  date_nanos: 'date',
  ip: 'ip',
  boolean: 'boolean',
};

/**
 * Field formats by the Kibana field types they format (`static fieldType` of each converter in
 * src/platform/plugins/shared/field_formats/common/converters/: url.ts, duration.ts).
 */
export const FORMAT_FIELD_TYPES: Record<string, ReadonlySet<string>> = {
  url: new Set(['number', 'boolean', 'date', 'ip', 'string']),
  duration: new Set(['number']),
};

/** The Lens visualizations whose state the checks know. */
export const LENS_VISUALIZATIONS = new Set(['lnsXY', 'lnsDatatable']);

/**
 * Keys of a Lens document's state (LensDocShape860 in lens/server/migrations/types.ts, above, plus
 * `internalReferences` and `adHocDataViews` that Lens writes beside them).
 */
export const LENS_STATE_KEYS = new Set([
  'datasourceStates',
  'visualization',
  'query',
  'filters',
  'internalReferences',
  'adHocDataViews',
  'needsRefresh',
]);
/** Keys of a form-based layer (`FormBasedLayer`). */
export const LENS_LAYER_KEYS = new Set([
  'columns',
  'columnOrder',
  'incompleteColumns',
  'sampling',
  'ignoreGlobalFilters',
  'linkToLayers',
]);
/**
 * Keys of a form-based column: x-pack/platform/plugins/shared/lens/public/datasources/form_based/
 * operations/definitions/column_types.ts (08fe385ad9543fd471ca5bc0f006acbb854fcf2d) and the fields every
 * operation's buildColumn writes.
 */
export const LENS_COLUMN_KEYS = new Set([
  'label',
  'customLabel',
  'dataType',
  'operationType',
  'sourceField',
  'isBucketed',
  'scale',
  'params',
  'filter',
  'timeScale',
  'timeShift',
  'reducedTimeRange',
  'references',
]);
/** Lens' pseudo-field of "Count of records" (count.tsx, `type === 'document'`). */
export const LENS_RECORDS_FIELD = '___records___';
export const QUERY_LANGUAGES = new Set(['kuery', 'lucene']);

/** What a form-based operation accepts and produces. */
export interface LensOperation {
  /** Kibana field types of its `sourceField` (its `supportedTypes`). */
  fieldTypes: ReadonlySet<string>;
  /** Takes the records pseudo-field too (count only). */
  records?: boolean;
  /** Its getPossibleOperationForField also wants an aggregatable field. */
  aggregatable: boolean;
  bucketed: boolean;
  /** The column's dataType for a field of the given Kibana type. */
  dataType: (fieldType: string) => string;
  scale: (fieldType: string) => string;
  /** Params the column must and may carry. */
  requiredParams: readonly string[];
  params: ReadonlySet<string>;
}

const METRIC_PARAMS = new Set(['emptyAsNull', 'format']);
const ratio = () => 'ratio';
const number = () => 'number';
const numberOrDate = (type: string) => (type === 'date' ? 'date' : 'number');
const metric = (fieldTypes: string[], dataType: (fieldType: string) => string = number): LensOperation => ({
  fieldTypes: new Set(fieldTypes),
  aggregatable: true,
  bucketed: false,
  dataType,
  scale: ratio,
  requiredParams: [],
  params: METRIC_PARAMS,
});

/** What count and unique_count take: the same `supportedTypes` in count.tsx and cardinality.tsx. */
const COUNTABLE = [
  'string',
  'boolean',
  'number',
  'number_range',
  'ip',
  'ip_range',
  'date',
  'date_range',
  'murmur3',
];

/**
 * The form-based operations, each from its definition under x-pack/platform/plugins/shared/lens/public/
 * datasources/form_based/operations/definitions/:
 * - count.tsx (003a98c811b8439ce9a79f6958aaca4aa73a1997);
 * - cardinality.tsx (057dcf9cdc63289f79e1eaac4e8872e3bc6b23c9), operation `unique_count`;
 * - metrics.tsx (0d3212805083a8976b912e8a6c27812547fe8f23): min and max also take dates;
 * - percentile.tsx (039846d2f2712d4b16d99c04e3bbe42a7f3e5846);
 * - terms/constants.ts (0e1c3c3df0f10f4f1938dc6a1c8ce71c54f65481) and terms/types.ts
 *   (638f9fa9040a96fb5cb9618b80b0e48130dfe0d3);
 * - date_histogram.tsx (003a98c811b8439ce9a79f6958aaca4aa73a1997);
 * - last_value.tsx (1a1468504ecb7193661b872ba4c98c5afd6f4867): no aggregatable test, a date sortField.
 */
export const LENS_OPERATIONS: Record<string, LensOperation> = {
  count: { ...metric(COUNTABLE), records: true },
  unique_count: metric(COUNTABLE),
  min: metric(['number', 'histogram', 'date'], numberOrDate),
  max: metric(['number', 'histogram', 'date'], numberOrDate),
  average: metric(['number', 'histogram']),
  sum: metric(['number', 'histogram']),
  median: metric(['number', 'histogram']),
  standard_deviation: metric(['number', 'histogram']),
  percentile: {
    ...metric(['number', 'histogram']),
    requiredParams: ['percentile'],
    params: new Set(['percentile', 'format']),
  },
  terms: {
    fieldTypes: new Set(['string', 'boolean', 'number', 'ip']),
    aggregatable: true,
    bucketed: true,
    dataType: (type) => type,
    scale: () => 'ordinal',
    requiredParams: ['size', 'orderBy', 'orderDirection'],
    params: new Set([
      'size',
      'accuracyMode',
      'include',
      'exclude',
      'includeIsRegex',
      'excludeIsRegex',
      'orderBy',
      'orderAgg',
      'orderDirection',
      'otherBucket',
      'missingBucket',
      'secondaryFields',
      'format',
      'parentFormat',
    ]),
  },
  date_histogram: {
    fieldTypes: new Set(['date', 'date_range']),
    aggregatable: true,
    bucketed: true,
    dataType: () => 'date',
    scale: () => 'interval',
    requiredParams: ['interval'],
    params: new Set(['interval', 'ignoreTimeRange', 'includeEmptyRows', 'dropPartials']),
  },
  last_value: {
    fieldTypes: new Set([
      'string',
      'boolean',
      'number',
      'ip',
      'date',
      'ip_range',
      'number_range',
      'date_range',
    ]),
    aggregatable: false,
    bucketed: false,
    dataType: (type) => type,
    scale: (type) =>
      ['string', 'ip', 'ip_range', 'date_range', 'number_range'].includes(type) ? 'ordinal' : 'ratio',
    requiredParams: ['sortField'],
    params: new Set(['sortField', 'showArrayValues', 'format']),
  },
};

/** terms `orderBy.type` values (terms/types.ts, above). */
export const TERMS_ORDER_BY = new Set(['alphabetical', 'rare', 'significant', 'column', 'custom']);
/** A percentile between these bounds, as percentile.tsx's editor allows. */
export const PERCENTILE_RANGE = { min: 0.0001, max: 99.9999 } as const;

/**
 * XY state: `SeriesTypes`, the data layer and `XYState` of x-pack/platform/plugins/shared/lens/public/
 * visualizations/xy/types.ts (0a53bf11a3b2bc57290a0ccc0f70ad6942a749d3); valueLabels is 'hide' or
 * 'show' since the 8.3.0 migration (`XYVisualizationState830` in lens/server/migrations/types.ts).
 */
export const XY_SERIES_TYPES = new Set([
  'bar',
  'line',
  'area',
  'bar_stacked',
  'area_stacked',
  'bar_horizontal',
  'bar_percentage_stacked',
  'bar_horizontal_stacked',
  'area_percentage_stacked',
  'bar_horizontal_percentage_stacked',
]);
export const XY_STATE_KEYS = new Set([
  'preferredSeriesType',
  'legend',
  'valueLabels',
  'fittingFunction',
  'emphasizeFitting',
  'endValue',
  'xExtent',
  'yLeftExtent',
  'yRightExtent',
  'layers',
  'xTitle',
  'yTitle',
  'yRightTitle',
  'yLeftScale',
  'yRightScale',
  'axisTitlesVisibilitySettings',
  'tickLabelsVisibilitySettings',
  'gridlinesVisibilitySettings',
  'labelsOrientation',
  'curveType',
  'fillOpacity',
  'minBarHeight',
  'hideEndzones',
  'showCurrentTimeMarker',
  'pointVisibility',
]);
export const XY_DATA_LAYER_KEYS = new Set([
  'layerId',
  'accessors',
  'layerType',
  'seriesType',
  'xAccessor',
  'simpleView',
  'yConfig',
  'splitAccessor',
  'palette',
  'collapseFn',
  'xScaleType',
  'isHistogram',
  'columnToLabel',
  'colorMapping',
]);
export const XY_VALUE_LABELS = new Set(['hide', 'show']);
/** `LegendConfig.position` of @kbn/expression-xy-plugin: elastic-charts' Position. */
export const XY_LEGEND_POSITIONS = new Set(['top', 'bottom', 'left', 'right']);

/**
 * Datatable state (`DatatableVisualizationState` of x-pack/platform/plugins/shared/lens/public/
 * visualizations/datatable/visualization.tsx, with `SortingState` and `RowHeightMode`).
 */
export const DATATABLE_STATE_KEYS = new Set([
  'columns',
  'layerId',
  'layerType',
  'sorting',
  'rowHeight',
  'headerRowHeight',
  'rowHeightLines',
  'headerRowHeightLines',
  'paging',
  'density',
  'showRowNumbers',
]);
export const DATATABLE_SORT_DIRECTIONS = new Set(['asc', 'desc', 'none']);
export const DATATABLE_ROW_HEIGHTS = new Set(['auto', 'single', 'custom']);
