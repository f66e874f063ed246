/**
 * Checks of saved objects against the rules of kibana-rules.ts and the fields of mappings/. Each returns
 * the problems it finds, one sentence each naming the object, so that a failing test says what to fix.
 */
import type { SavedObject } from '../../src/kibana/saved-objects.ts';
import {
  ATTRIBUTE_KEYS,
  CORE_MIGRATION_WITH_TYPE_MIGRATION_VERSION,
  DASHBOARD_GRID_COLUMN_COUNT,
  DASHBOARD_OPTIONS,
  DATATABLE_ROW_HEIGHTS,
  DATATABLE_SORT_DIRECTIONS,
  DATATABLE_STATE_KEYS,
  DATA_VIEW_JSON_ATTRIBUTES,
  DOCUMENT_KEYS,
  FORMAT_FIELD_TYPES,
  GLOBAL_SWITCH_TO_MODEL_VERSION_AT,
  GRID_DATA_KEYS,
  KNOWN_TYPE_VERSION,
  LENS_COLUMN_KEYS,
  LENS_LAYER_KEYS,
  LENS_OPERATIONS,
  LENS_RECORDS_FIELD,
  LENS_STATE_KEYS,
  LENS_VISUALIZATIONS,
  MODEL_VERSION_VIRTUAL_MAJOR,
  PANEL_KEYS,
  PANEL_TYPES,
  SEARCH_SORT_SIZE,
  PERCENTILE_RANGE,
  QUERY_LANGUAGES,
  SAVED_OBJECT_TYPES,
  SHAPE_TYPE_VERSION,
  TERMS_ORDER_BY,
  XY_DATA_LAYER_KEYS,
  XY_LEGEND_POSITIONS,
  XY_SERIES_TYPES,
  XY_STATE_KEYS,
  XY_VALUE_LABELS,
  type KibanaVersion,
  type SavedObjectType,
} from './kibana-rules.ts';
import { dataViewFields, type FieldMap } from './mapping-fields.ts';

type Json = Record<string, unknown>;
/** Data view id → the fields it sees. */
export type FieldsByDataView = ReadonlyMap<string, FieldMap>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nameOf = (object: SavedObject) => `${object.type} ${object.id}`;

function unknownKeys(value: Json, allowed: ReadonlySet<string>): string[] {
  return Object.keys(value).filter((key) => !allowed.has(key));
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** x.y.z only, as Kibana's migration versions are. */
function semver(version: unknown): [number, number, number] | undefined {
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)\.(\d+)$/.exec(version) : null;
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [semver(a)!, semver(b)!];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Field names a KQL query tests (`field: value`, `field >= 1`), quoted values set aside. */
export function kqlFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z@_][\w.@]*)\s*(?::|<=|>=|<|>)/g)].map((match) => match[1]!);
}

/** The fields each data view of the file sees, from mappings/. */
export function fieldsByDataView(objects: SavedObject[]): Map<string, FieldMap> {
  return new Map(
    objects
      .filter((object) => object.type === 'index-pattern')
      .map((object) => [object.id, dataViewFields(String(object.attributes.title))]),
  );
}

/** The document itself: the keys Kibana's base schema takes, a known type, its attributes' keys. */
export function documentProblems(objects: SavedObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    const where = nameOf(object);
    for (const key of unknownKeys(object, DOCUMENT_KEYS)) problems.push(`${where}: unknown key ${key}`);
    if (typeof object.id !== 'string' || object.id === '') problems.push(`${where}: no id`);
    if (seen.has(object.id)) problems.push(`${where}: its id is used twice`);
    seen.add(object.id);
    if (!(SAVED_OBJECT_TYPES as readonly string[]).includes(object.type)) {
      problems.push(`${where}: a type this package does not ship`);
      continue;
    }
    if (!Array.isArray(object.references)) problems.push(`${where}: references is not an array`);
    if (!isRecord(object.attributes)) {
      problems.push(`${where}: attributes is not an object`);
      continue;
    }
    for (const key of unknownKeys(object.attributes, ATTRIBUTE_KEYS[object.type as SavedObjectType]))
      problems.push(`${where}: attribute ${key} is not in Kibana's schema of ${object.type}`);
    if (typeof object.attributes.title !== 'string' || object.attributes.title === '')
      problems.push(`${where}: no title`);
    if ('description' in object.attributes && typeof object.attributes.description !== 'string')
      problems.push(`${where}: description is not text`);
    if (object.type === 'index-pattern') {
      for (const key of DATA_VIEW_JSON_ATTRIBUTES) {
        if (key in object.attributes && parseJson(object.attributes[key]) === undefined)
          problems.push(`${where}: ${key} is not JSON text`);
      }
    }
  }
  return problems;
}

/** coreMigrationVersion and typeMigrationVersion as the given Kibana's document migrator takes them. */
export function versionProblems(objects: SavedObject[], kibana: KibanaVersion): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const where = `${nameOf(object)} in Kibana ${kibana}`;
    const core = object.coreMigrationVersion;
    const typeVersion = object.typeMigrationVersion;
    if ('migrationVersion' in object) problems.push(`${where}: carries the legacy migrationVersion`);
    if (semver(core) === undefined)
      problems.push(`${where}: coreMigrationVersion ${String(core)} is not x.y.z`);
    else if (compareVersions(String(core), kibana) > 0)
      problems.push(`${where}: coreMigrationVersion ${String(core)} belongs to a more recent Kibana`);
    else if (compareVersions(String(core), CORE_MIGRATION_WITH_TYPE_MIGRATION_VERSION) < 0)
      problems.push(`${where}: coreMigrationVersion ${String(core)} predates typeMigrationVersion`);
    if (semver(typeVersion) === undefined) {
      problems.push(`${where}: typeMigrationVersion ${String(typeVersion)} is not x.y.z`);
      continue;
    }
    const version = String(typeVersion);
    const known = KNOWN_TYPE_VERSION[kibana][object.type as SavedObjectType];
    const shape = SHAPE_TYPE_VERSION[object.type as SavedObjectType];
    if (known === undefined) continue;
    if (compareVersions(version, known) > 0)
      problems.push(`${where}: typeMigrationVersion ${version} is newer than ${object.type}'s ${known}`);
    if (compareVersions(version, shape) < 0)
      problems.push(
        `${where}: typeMigrationVersion ${version} would rerun the ${shape} migration over what the file holds`,
      );
    if (
      compareVersions(version, GLOBAL_SWITCH_TO_MODEL_VERSION_AT) >= 0 &&
      semver(version)![0] < MODEL_VERSION_VIRTUAL_MAJOR
    )
      problems.push(`${where}: typeMigrationVersion ${version} is neither a migration nor a model version`);
  }
  return problems;
}

interface LensLayer {
  columns: Record<string, Json>;
  columnOrder: string[];
}

function lensLayers(object: SavedObject): Record<string, LensLayer> {
  const state = object.attributes.state as { datasourceStates?: { formBased?: { layers?: unknown } } };
  const layers = state?.datasourceStates?.formBased?.layers;
  return isRecord(layers) ? (layers as Record<string, LensLayer>) : {};
}

function searchSource(attributes: Json): Json | undefined {
  const meta = attributes.kibanaSavedObjectMeta;
  const parsed = isRecord(meta) ? parseJson(meta.searchSourceJSON) : undefined;
  return isRecord(parsed) ? parsed : undefined;
}

/** The data view each Lens layer or saved search reads, by its reference. */
function dataViewOfReference(object: SavedObject, name: string | undefined): string | undefined {
  return object.references.find((ref) => ref.name === name && ref.type === 'index-pattern')?.id;
}

/**
 * References: each resolves to an object of the file, under the name Kibana looks it up by (Lens
 * layers, a saved search's data view, a dashboard's panels).
 */
export function referenceProblems(objects: SavedObject[]): string[] {
  const problems: string[] = [];
  const known = new Set(objects.map((object) => `${object.type}:${object.id}`));
  for (const object of objects) {
    const where = nameOf(object);
    const names = object.references.map((ref) => ref.name);
    if (new Set(names).size !== names.length) problems.push(`${where}: two references share a name`);
    for (const ref of object.references) {
      if (typeof ref.name !== 'string' || typeof ref.type !== 'string' || typeof ref.id !== 'string')
        problems.push(`${where}: a reference lacks its name, type or id`);
      else if (!known.has(`${ref.type}:${ref.id}`))
        problems.push(`${where}: ${ref.name} → ${ref.type} ${ref.id} is not in the file`);
    }
    if (object.type === 'lens') {
      const layerRefs = Object.keys(lensLayers(object)).map(
        (layer) => `indexpattern-datasource-layer-${layer}`,
      );
      for (const name of layerRefs) {
        if (dataViewOfReference(object, name) === undefined)
          problems.push(`${where}: no data view reference ${name}`);
      }
      for (const name of names) {
        if (!layerRefs.includes(name) && !/^filter-index-pattern-\d+$/.test(name))
          problems.push(`${where}: reference ${name} belongs to no layer or filter`);
      }
    }
    if (object.type === 'search') {
      const indexRefName = searchSource(object.attributes)?.indexRefName;
      if (typeof indexRefName !== 'string' || dataViewOfReference(object, indexRefName) === undefined)
        problems.push(`${where}: no data view reference`);
    }
    if (object.type === 'dashboard') {
      const panels = parseJson(object.attributes.panelsJSON);
      for (const panel of Array.isArray(panels) ? panels.filter(isRecord) : []) {
        const ref = object.references.find(
          (candidate) => candidate.name === `${String(panel.panelIndex)}:${String(panel.panelRefName)}`,
        );
        if (ref === undefined) problems.push(`${where}: panel ${String(panel.panelIndex)} has no reference`);
        else if (ref.type !== panel.type)
          problems.push(
            `${where}: panel ${String(panel.panelIndex)} is a ${String(panel.type)}, its reference a ${ref.type}`,
          );
      }
    }
  }
  return problems;
}

/** A dashboard's attributes, panels, grid and options against the dashboard schemas. */
export function dashboardProblems(objects: SavedObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects.filter((candidate) => candidate.type === 'dashboard')) {
    const where = nameOf(object);
    const { attributes } = object;
    if (typeof attributes.description !== 'string') problems.push(`${where}: description is not text`);
    const refresh = attributes.refreshInterval;
    if (
      refresh !== undefined &&
      !(isRecord(refresh) && typeof refresh.pause === 'boolean' && typeof refresh.value === 'number')
    )
      problems.push(`${where}: refreshInterval is not { pause, value }`);
    if (attributes.timeRestore !== undefined && typeof attributes.timeRestore !== 'boolean')
      problems.push(`${where}: timeRestore is not a boolean`);
    if (
      attributes.timeRestore === true &&
      (typeof attributes.timeFrom !== 'string' || typeof attributes.timeTo !== 'string')
    )
      problems.push(`${where}: restores a time range it does not hold`);
    const options = parseJson(attributes.optionsJSON);
    if (!isRecord(options)) problems.push(`${where}: optionsJSON is not a JSON object`);
    else {
      for (const key of unknownKeys(options, DASHBOARD_OPTIONS))
        problems.push(`${where}: unknown option ${key}`);
      for (const [key, value] of Object.entries(options)) {
        if (typeof value !== 'boolean') problems.push(`${where}: option ${key} is not a boolean`);
      }
    }
    problems.push(...queryProblems(where, searchSource(attributes)));
    const panels = parseJson(attributes.panelsJSON);
    if (!Array.isArray(panels)) {
      problems.push(`${where}: panelsJSON is not a JSON array`);
      continue;
    }
    problems.push(...panelProblems(where, panels));
  }
  return problems;
}

function queryProblems(where: string, source: Json | undefined): string[] {
  if (source === undefined) return [`${where}: searchSourceJSON is not a JSON object`];
  const problems: string[] = [];
  const query = source.query;
  if (!isRecord(query) || typeof query.query !== 'string' || !QUERY_LANGUAGES.has(String(query.language)))
    problems.push(`${where}: the query is not { query, language: kuery | lucene }`);
  if (source.filter !== undefined && !Array.isArray(source.filter))
    problems.push(`${where}: filter is not an array`);
  return problems;
}

function panelProblems(where: string, panels: unknown[]): string[] {
  const problems: string[] = [];
  const grids: Array<{ index: string; x: number; y: number; w: number; h: number }> = [];
  const indexes = new Set<string>();
  for (const panel of panels) {
    if (!isRecord(panel)) {
      problems.push(`${where}: a panel is not an object`);
      continue;
    }
    const index = String(panel.panelIndex);
    const at = `${where} panel ${index}`;
    for (const key of unknownKeys(panel, PANEL_KEYS)) problems.push(`${at}: unknown key ${key}`);
    if (typeof panel.panelIndex !== 'string' || indexes.has(index))
      problems.push(`${at}: panelIndex missing or repeated`);
    indexes.add(index);
    if (!PANEL_TYPES.has(panel.type as SavedObjectType))
      problems.push(`${at}: unknown panel type ${String(panel.type)}`);
    if (!isRecord(panel.embeddableConfig)) problems.push(`${at}: embeddableConfig is not an object`);
    if (typeof panel.panelRefName !== 'string') problems.push(`${at}: not a by-reference panel`);
    const grid = panel.gridData;
    if (!isRecord(grid)) {
      problems.push(`${at}: no gridData`);
      continue;
    }
    for (const key of unknownKeys(grid, GRID_DATA_KEYS)) problems.push(`${at}: unknown grid key ${key}`);
    if (grid.i !== panel.panelIndex) problems.push(`${at}: gridData.i is not its panelIndex`);
    const { x, y, w, h } = grid;
    if (![x, y, w, h].every((value) => Number.isInteger(value))) {
      problems.push(`${at}: grid position and size are not whole numbers`);
      continue;
    }
    const box = { index, x: x as number, y: y as number, w: w as number, h: h as number };
    if (box.x < 0 || box.y < 0 || box.w < 1 || box.h < 1 || box.x + box.w > DASHBOARD_GRID_COLUMN_COUNT)
      problems.push(`${at}: outside the ${DASHBOARD_GRID_COLUMN_COUNT}-column grid`);
    for (const other of grids) {
      if (
        box.x < other.x + other.w &&
        other.x < box.x + box.w &&
        box.y < other.y + other.h &&
        other.y < box.y + box.h
      )
        problems.push(`${where}: panels ${other.index} and ${index} overlap`);
    }
    grids.push(box);
  }
  return problems;
}

/** Lens state: visualization, form-based layers and their columns, fields against the mappings. */
export function lensProblems(objects: SavedObject[], fields: FieldsByDataView): string[] {
  const problems: string[] = [];
  for (const object of objects.filter((candidate) => candidate.type === 'lens')) {
    const where = nameOf(object);
    const { visualizationType, state } = object.attributes as { visualizationType: unknown; state: unknown };
    if (!LENS_VISUALIZATIONS.has(String(visualizationType))) {
      problems.push(`${where}: visualization ${String(visualizationType)} is not one the checks know`);
      continue;
    }
    if (!isRecord(state)) {
      problems.push(`${where}: no state`);
      continue;
    }
    for (const key of unknownKeys(state, LENS_STATE_KEYS))
      problems.push(`${where}: unknown state key ${key}`);
    const datasources = state.datasourceStates;
    if (
      !isRecord(datasources) ||
      !isRecord(datasources.formBased) ||
      !isRecord(datasources.formBased.layers)
    ) {
      problems.push(`${where}: no form-based layers`);
      continue;
    }
    for (const key of Object.keys(datasources).filter((name) => name !== 'formBased' && name !== 'textBased'))
      problems.push(`${where}: unknown datasource ${key}`);
    if (!Array.isArray(state.filters)) problems.push(`${where}: filters is not an array`);
    problems.push(...queryProblems(where, { query: state.query }));
    const layers = lensLayers(object);
    for (const [layerId, layer] of Object.entries(layers)) {
      const dataView = dataViewOfReference(object, `indexpattern-datasource-layer-${layerId}`);
      const layerFields = dataView === undefined ? undefined : fields.get(dataView);
      if (layerFields === undefined) {
        problems.push(`${where}: layer ${layerId} reads no data view of the file`);
        continue;
      }
      problems.push(...layerProblems(`${where} layer ${layerId}`, layer, layerFields));
      problems.push(...queryFieldProblems(`${where} query`, state.query, layerFields));
      problems.push(...filterFieldProblems(`${where} filter`, state.filters, layerFields));
    }
    problems.push(
      ...(visualizationType === 'lnsXY'
        ? xyProblems(where, state.visualization, layers)
        : datatableProblems(where, state.visualization, layers)),
    );
  }
  return problems;
}

function layerProblems(where: string, layer: LensLayer, fields: FieldMap): string[] {
  const problems: string[] = [];
  if (!isRecord(layer.columns) || !Array.isArray(layer.columnOrder))
    return [`${where}: no columns or columnOrder`];
  for (const key of unknownKeys(layer as unknown as Json, LENS_LAYER_KEYS))
    problems.push(`${where}: unknown key ${key}`);
  const ids = Object.keys(layer.columns);
  if ([...ids].sort().join() !== [...layer.columnOrder].sort().join())
    problems.push(`${where}: columnOrder ≠ columns`);
  for (const [id, column] of Object.entries(layer.columns)) {
    problems.push(...columnProblems(`${where} column ${id}`, column, layer, fields));
  }
  return problems;
}

/** isSortableByColumn of terms/helpers.ts: what a terms column may be ordered by. */
function sortableByColumn(layer: LensLayer, columnId: string): boolean {
  const column = layer.columns[columnId];
  if (column === undefined || column.isBucketed !== false || 'references' in column) return false;
  const params = isRecord(column.params) ? column.params : {};
  if (column.operationType === 'last_value')
    return ['number', 'date'].includes(String(column.dataType)) && params.showArrayValues !== true;
  if (column.operationType === 'percentile') return Number.isInteger(params.percentile);
  return true;
}

function columnProblems(where: string, column: Json, layer: LensLayer, fields: FieldMap): string[] {
  const problems: string[] = [];
  for (const key of unknownKeys(column, LENS_COLUMN_KEYS)) problems.push(`${where}: unknown key ${key}`);
  const operationType = String(column.operationType);
  const operation = LENS_OPERATIONS[operationType];
  if (operation === undefined)
    return [...problems, `${where}: operation ${operationType} is not one the checks know`];
  if (typeof column.label !== 'string') problems.push(`${where}: no label`);
  if (column.isBucketed !== operation.bucketed)
    problems.push(`${where}: isBucketed is wrong for ${operationType}`);
  const sourceField = String(column.sourceField);
  let fieldType: string;
  if (sourceField === LENS_RECORDS_FIELD) {
    if (!operation.records) problems.push(`${where}: ${operationType} of records`);
    fieldType = 'number';
  } else {
    const field = fields.get(sourceField);
    if (field === undefined)
      return [...problems, `${where}: ${sourceField} (${operationType}) is not in the mappings`];
    fieldType = field.kibanaType;
    if (!operation.fieldTypes.has(field.kibanaType))
      problems.push(`${where}: ${sourceField} is ${field.esType}, which ${operationType} does not take`);
    if (operation.aggregatable && !field.aggregatable)
      problems.push(`${where}: ${sourceField} has no doc values, which ${operationType} needs`);
  }
  const dataType = operation.dataType(fieldType);
  if (column.dataType !== dataType)
    problems.push(`${where}: dataType ${String(column.dataType)}, Lens makes it ${dataType}`);
  if (column.scale !== undefined && column.scale !== operation.scale(fieldType))
    problems.push(`${where}: scale ${String(column.scale)}, Lens makes it ${operation.scale(fieldType)}`);
  const params = isRecord(column.params) ? column.params : {};
  for (const key of unknownKeys(params, operation.params)) problems.push(`${where}: unknown param ${key}`);
  for (const key of operation.requiredParams.filter((name) => !(name in params)))
    problems.push(`${where}: no param ${key}`);
  if (operationType === 'terms') problems.push(...termsProblems(where, params, layer));
  if (operationType === 'percentile') {
    const percentile = params.percentile;
    if (
      typeof percentile !== 'number' ||
      percentile < PERCENTILE_RANGE.min ||
      percentile > PERCENTILE_RANGE.max
    )
      problems.push(`${where}: percentile ${String(percentile)} out of range`);
  }
  if (operationType === 'date_histogram' && typeof params.interval !== 'string')
    problems.push(`${where}: interval is not text`);
  if (operationType === 'last_value') {
    const sortField = fields.get(String(params.sortField));
    if (sortField?.kibanaType !== 'date')
      problems.push(`${where}: sortField ${String(params.sortField)} is not a date field`);
  }
  if (column.filter !== undefined) {
    const filter = column.filter;
    if (
      !isRecord(filter) ||
      typeof filter.query !== 'string' ||
      !QUERY_LANGUAGES.has(String(filter.language))
    )
      problems.push(`${where}: filter is not { query, language }`);
    else problems.push(...queryFieldProblems(`${where} filter`, filter, fields));
  }
  return problems;
}

function termsProblems(where: string, params: Json, layer: LensLayer): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(params.size) || (params.size as number) < 1)
    problems.push(`${where}: size is not a positive integer`);
  if (params.orderDirection !== 'asc' && params.orderDirection !== 'desc')
    problems.push(`${where}: orderDirection is not asc or desc`);
  const orderBy = params.orderBy;
  if (!isRecord(orderBy) || !TERMS_ORDER_BY.has(String(orderBy.type)))
    problems.push(`${where}: unknown orderBy`);
  else if (orderBy.type === 'column' && !sortableByColumn(layer, String(orderBy.columnId)))
    problems.push(`${where}: ordered by ${String(orderBy.columnId)}, which is no metric of the layer`);
  return problems;
}

/** Fields a query tests exist and can be queried. */
function queryFieldProblems(where: string, query: unknown, fields: FieldMap): string[] {
  if (!isRecord(query) || query.language !== 'kuery' || typeof query.query !== 'string') return [];
  return kqlFields(query.query).flatMap((name) => {
    const field = fields.get(name);
    if (field === undefined) return [`${where}: ${name} (query) is not in the mappings`];
    return field.searchable ? [] : [`${where}: ${name} is neither indexed nor has doc values`];
  });
}

/** Fields a pinned filter tests: the field it shows (`meta.key`) and those of its query clause. */
function filterFields(filter: unknown): string[] {
  if (!isRecord(filter)) return [];
  const names = new Set<string>();
  if (isRecord(filter.meta) && typeof filter.meta.key === 'string') names.add(filter.meta.key);
  const query = isRecord(filter.query) ? filter.query : filter;
  for (const clause of ['match_phrase', 'match', 'term', 'terms', 'range']) {
    const body = query[clause];
    if (isRecord(body)) for (const name of Object.keys(body)) names.add(name);
  }
  if (isRecord(query.exists) && typeof query.exists.field === 'string') names.add(query.exists.field);
  return [...names];
}

function filterFieldProblems(where: string, filters: unknown, fields: FieldMap): string[] {
  return (Array.isArray(filters) ? filters : []).flatMap(filterFields).flatMap((name) => {
    const field = fields.get(name);
    if (field === undefined) return [`${where}: ${name} is not in the mappings`];
    return field.searchable ? [] : [`${where}: ${name} is neither indexed nor has doc values`];
  });
}

function columnOf(layers: Record<string, LensLayer>, layerId: string, columnId: unknown): Json | undefined {
  return typeof columnId === 'string' ? layers[layerId]?.columns[columnId] : undefined;
}

function xyProblems(where: string, visualization: unknown, layers: Record<string, LensLayer>): string[] {
  if (!isRecord(visualization) || !Array.isArray(visualization.layers)) return [`${where}: no XY layers`];
  const problems: string[] = [];
  for (const key of unknownKeys(visualization, XY_STATE_KEYS))
    problems.push(`${where}: unknown XY key ${key}`);
  if (!XY_SERIES_TYPES.has(String(visualization.preferredSeriesType)))
    problems.push(`${where}: unknown preferredSeriesType`);
  if (visualization.valueLabels !== undefined && !XY_VALUE_LABELS.has(String(visualization.valueLabels)))
    problems.push(`${where}: valueLabels is not hide or show`);
  const legend = visualization.legend;
  if (
    !isRecord(legend) ||
    typeof legend.isVisible !== 'boolean' ||
    !XY_LEGEND_POSITIONS.has(String(legend.position))
  )
    problems.push(`${where}: legend is not { isVisible, position, … }`);
  const shown = new Set<string>();
  for (const layer of visualization.layers) {
    if (!isRecord(layer) || layer.layerType !== 'data') {
      problems.push(`${where}: an XY layer is not a data layer`);
      continue;
    }
    const layerId = String(layer.layerId);
    const at = `${where} XY layer ${layerId}`;
    shown.add(layerId);
    for (const key of unknownKeys(layer, XY_DATA_LAYER_KEYS)) problems.push(`${at}: unknown key ${key}`);
    if (layers[layerId] === undefined) {
      problems.push(`${at}: no such form-based layer`);
      continue;
    }
    if (!XY_SERIES_TYPES.has(String(layer.seriesType))) problems.push(`${at}: unknown seriesType`);
    const used = [layer.xAccessor, layer.splitAccessor].filter((id) => id !== undefined);
    for (const id of used) {
      if (columnOf(layers, layerId, id)?.isBucketed !== true)
        problems.push(`${at}: ${String(id)} is not a bucket column`);
    }
    const accessors = Array.isArray(layer.accessors) ? layer.accessors : [];
    if (accessors.length === 0) problems.push(`${at}: no accessors`);
    for (const id of accessors) {
      if (columnOf(layers, layerId, id)?.isBucketed !== false)
        problems.push(`${at}: ${String(id)} is not a metric column`);
    }
    for (const id of Object.keys(layers[layerId]!.columns)) {
      if (![...used, ...accessors].includes(id)) problems.push(`${at}: column ${id} is on no axis`);
    }
  }
  for (const layerId of Object.keys(layers)) {
    if (!shown.has(layerId)) problems.push(`${where}: layer ${layerId} is not drawn`);
  }
  return problems;
}

function datatableProblems(
  where: string,
  visualization: unknown,
  layers: Record<string, LensLayer>,
): string[] {
  if (!isRecord(visualization) || !Array.isArray(visualization.columns))
    return [`${where}: no table columns`];
  const problems: string[] = [];
  for (const key of unknownKeys(visualization, DATATABLE_STATE_KEYS))
    problems.push(`${where}: unknown table key ${key}`);
  const layerId = String(visualization.layerId);
  if (visualization.layerType !== 'data') problems.push(`${where}: the table layer is not a data layer`);
  const layer = layers[layerId];
  if (layer === undefined || Object.keys(layers).length !== 1)
    return [...problems, `${where}: the table does not show its one form-based layer`];
  const listed = visualization.columns.map((column) => (isRecord(column) ? column.columnId : undefined));
  for (const id of listed) {
    if (columnOf(layers, layerId, id) === undefined)
      problems.push(`${where}: the table lists missing column ${String(id)}`);
  }
  for (const id of Object.keys(layer.columns)) {
    if (!listed.includes(id)) problems.push(`${where}: column ${id} is not in the table`);
  }
  const sorting = visualization.sorting;
  if (sorting !== undefined) {
    if (!isRecord(sorting) || !DATATABLE_SORT_DIRECTIONS.has(String(sorting.direction)))
      problems.push(`${where}: sorting is not { columnId, direction }`);
    else if (sorting.columnId !== undefined && columnOf(layers, layerId, sorting.columnId) === undefined)
      problems.push(`${where}: sorted by missing column ${String(sorting.columnId)}`);
  }
  if (visualization.rowHeight !== undefined && !DATATABLE_ROW_HEIGHTS.has(String(visualization.rowHeight)))
    problems.push(`${where}: unknown rowHeight`);
  return problems;
}

/** A saved search's attributes with the types of its schema, on a data view rather than ES|QL. */
export function savedSearchProblems(objects: SavedObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects.filter((candidate) => candidate.type === 'search')) {
    const where = nameOf(object);
    const { columns, sort, grid, hideChart, isTextBasedQuery } = object.attributes;
    if (!Array.isArray(columns) || !columns.every((column) => typeof column === 'string'))
      problems.push(`${where}: columns is not a list of names`);
    const pairs = Array.isArray(sort) ? sort : [];
    if (
      !Array.isArray(sort) ||
      !pairs.every(
        (pair) =>
          Array.isArray(pair) &&
          pair.length <= SEARCH_SORT_SIZE &&
          pair.every((part) => typeof part === 'string'),
      )
    )
      problems.push(`${where}: sort is not a list of [field, direction]`);
    if (grid !== undefined && !isRecord(grid)) problems.push(`${where}: grid is not an object`);
    if (hideChart !== undefined && typeof hideChart !== 'boolean')
      problems.push(`${where}: hideChart is not a boolean`);
    if (isTextBasedQuery !== false) problems.push(`${where}: not a data view search (isTextBasedQuery)`);
    problems.push(...queryProblems(where, searchSource(object.attributes)));
  }
  return problems;
}

/** Data views and saved searches: every field they name exists in the mappings with a type that suits. */
export function fieldProblems(objects: SavedObject[], fields: FieldsByDataView): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const where = nameOf(object);
    if (object.type === 'index-pattern') {
      const viewFields = fields.get(object.id);
      if (viewFields === undefined || viewFields.size === 0) {
        problems.push(`${where}: ${String(object.attributes.title)} covers no index of mappings/`);
        continue;
      }
      problems.push(...dataViewProblems(object, viewFields));
    }
    if (object.type === 'search') {
      const source = searchSource(object.attributes);
      const dataView = dataViewOfReference(object, String(source?.indexRefName));
      const viewFields = dataView === undefined ? undefined : fields.get(dataView);
      if (viewFields === undefined) {
        problems.push(`${where}: reads no data view of the file`);
        continue;
      }
      for (const column of object.attributes.columns as unknown[]) {
        if (!viewFields.has(String(column)))
          problems.push(`${where}: column ${String(column)} is not in the mappings`);
      }
      for (const sort of object.attributes.sort as unknown[]) {
        const [name, direction] = Array.isArray(sort) ? sort : [];
        const field = viewFields.get(String(name));
        if (direction !== 'asc' && direction !== 'desc')
          problems.push(`${where}: sort ${String(name)} has no direction`);
        if (field === undefined) problems.push(`${where}: sort field ${String(name)} is not in the mappings`);
        else if (!field.aggregatable) problems.push(`${where}: sort field ${String(name)} has no doc values`);
      }
      problems.push(...queryFieldProblems(where, source?.query, viewFields));
      problems.push(...filterFieldProblems(`${where} filter`, source?.filter, viewFields));
    }
  }
  return problems;
}

function dataViewProblems(object: SavedObject, fields: FieldMap): string[] {
  const where = nameOf(object);
  const problems: string[] = [];
  const timeField = fields.get(String(object.attributes.timeFieldName));
  if (timeField?.kibanaType !== 'date')
    problems.push(
      `${where}: time field ${String(object.attributes.timeFieldName)} is not a date of the mappings`,
    );
  const attrs = parseJson(object.attributes.fieldAttrs);
  for (const name of Object.keys(isRecord(attrs) ? attrs : {})) {
    if (!fields.has(name)) problems.push(`${where}: fieldAttrs names ${name}, which is not in the mappings`);
  }
  const formats = parseJson(object.attributes.fieldFormatMap);
  for (const [name, format] of Object.entries(isRecord(formats) ? formats : {})) {
    const field = fields.get(name);
    const id = isRecord(format) ? String(format.id) : '';
    const takes = FORMAT_FIELD_TYPES[id];
    if (field === undefined) problems.push(`${where}: format of ${name}, which is not in the mappings`);
    else if (takes === undefined)
      problems.push(`${where}: format ${id} of ${name} is not one the checks know`);
    else if (!takes.has(field.kibanaType))
      problems.push(`${where}: ${name} is ${field.esType}, which format ${id} does not take`);
    const template =
      isRecord(format) && isRecord(format.params) ? String(format.params.urlTemplate ?? '') : '';
    const query = /query:'([^']*)'/.exec(template)?.[1];
    if (query !== undefined)
      problems.push(...queryFieldProblems(`${where} ${name} link`, { query, language: 'kuery' }, fields));
  }
  return problems;
}
