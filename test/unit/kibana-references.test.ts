/**
 * The saved objects of mappings/kibana/ against themselves and against our index template: every
 * reference resolves inside the file (nothing refers to objects Kibana would have to provide), and every
 * field a visualization, search, query or formatter names exists in the template with a type that suits
 * its use. Renaming a field in mappings/ without updating the dashboard fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexNames } from '../../src/config/index-names.ts';
import { readSavedObjects, type SavedObject } from '../../src/kibana/saved-objects.ts';
import { mappingFile } from '../../src/store/templates.ts';

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
]);
const TEXT = new Set(['text', 'match_only_text']);
/** Lens' pseudo-field of "Count of records". */
const RECORDS = '___records___';
const GRID_COLUMNS = 48;

type Use =
  | 'terms'
  | 'unique_count'
  | 'date_histogram'
  | 'max'
  | 'min'
  | 'average'
  | 'sum'
  | 'median'
  | 'percentile'
  | 'last_value'
  | 'last_value sort'
  | 'time field'
  | 'sort'
  | 'column'
  | 'query'
  | 'url format'
  | 'duration format';

interface FieldUse {
  field: string;
  use: Use;
  where: string;
  dataView: string | undefined;
}

const SUITS: Record<Use, (type: string) => boolean> = {
  terms: (type) => type === 'keyword',
  unique_count: (type) => type === 'keyword',
  date_histogram: (type) => type === 'date',
  'time field': (type) => type === 'date',
  'last_value sort': (type) => type === 'date',
  max: (type) => NUMERIC.has(type) || type === 'date',
  min: (type) => NUMERIC.has(type) || type === 'date',
  average: (type) => NUMERIC.has(type),
  sum: (type) => NUMERIC.has(type),
  median: (type) => NUMERIC.has(type),
  percentile: (type) => NUMERIC.has(type),
  last_value: (type) => !TEXT.has(type),
  sort: (type) => !TEXT.has(type),
  column: () => true,
  query: () => true,
  'url format': (type) => type === 'keyword',
  'duration format': (type) => NUMERIC.has(type),
};

/** A template file of mappings/, with the names of the default prefix filled in. */
function mapping(file: string): Record<string, unknown> {
  return mappingFile(file, indexNames('talend'));
}

const FORMAT_USES: Record<string, Use> = { url: 'url format', duration: 'duration format' };

/** Field → type of the indices an index template makes, with the component templates it is composed of. */
function templateFields(file: string): Map<string, string> {
  const template = mapping(file) as { composed_of?: string[] };
  const fields = new Map<string, string>();
  const walk = (properties: Record<string, MappingNode>, path: string) => {
    for (const [name, node] of Object.entries(properties)) {
      const field = `${path}${name}`;
      if (node.type !== undefined) fields.set(field, node.type);
      if (node.properties) walk(node.properties, `${field}.`);
      if (node.fields) walk(node.fields, `${field}.`);
    }
  };
  // With the prefix `talend`, each component's name is also its file's name.
  for (const part of [file.replace(/\.json$/, ''), ...(template.composed_of ?? [])]) {
    const body = mapping(`${part}.json`) as {
      template?: { mappings?: { properties?: Record<string, MappingNode> } };
    };
    walk(body.template?.mappings?.properties ?? {}, '');
  }
  return fields;
}

/** The fields each data view sees: those of the index template of the indices it covers. */
function dataViewFields(): Map<string, Map<string, string>> {
  return new Map([
    ['talend-logs-data-view', templateFields('talend-logs.json')],
    ['talend-executions-data-view', templateFields('talend-executions.json')],
  ]);
}

/** The data view an object reads: itself, or the one it references. */
function dataViewOf(object: SavedObject): string | undefined {
  if (object.type === 'index-pattern') return object.id;
  return object.references.find((ref) => ref.type === 'index-pattern')?.id;
}

interface MappingNode {
  type?: string;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
}

interface LensColumn {
  operationType: string;
  sourceField?: string;
  filter?: { query: string };
  params?: { sortField?: string; orderBy?: { type: string; columnId?: string } };
}

interface LensLayer {
  columns: Record<string, LensColumn>;
  columnOrder: string[];
}

interface LensState {
  datasourceStates: { formBased: { layers: Record<string, LensLayer> } };
  visualization: Record<string, unknown>;
  query: { query: string; language: string };
  filters: unknown[];
}

interface UrlFormat {
  id: string;
  params: { urlTemplate?: string };
}

interface Panel {
  type: string;
  panelIndex: string;
  panelRefName?: string;
  gridData: { x: number; y: number; w: number; h: number };
}

/** Field names a KQL query tests (`field: value`, `field >= 1`), quoted values set aside. */
function kqlFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z@_][\w.@]*)\s*(?::|<=|>=|<|>)/g)].map((match) => match[1]!);
}

function searchSource(object: SavedObject): { query: { query: string }; indexRefName?: string } {
  const meta = object.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
  return JSON.parse(meta.searchSourceJSON) as { query: { query: string }; indexRefName?: string };
}

/** Every field the objects name, with what for. */
function fieldUses(objects: SavedObject[]): FieldUse[] {
  const uses: FieldUse[] = [];
  for (const object of objects) {
    const where = `${object.type} ${object.id}`;
    const dataView = dataViewOf(object);
    const add = (field: string, use: Use, at: string) => uses.push({ field, use, where: at, dataView });
    if (object.type === 'index-pattern') {
      add(object.attributes.timeFieldName as string, 'time field', where);
      const formats = JSON.parse(object.attributes.fieldFormatMap as string) as Record<string, UrlFormat>;
      for (const [field, format] of Object.entries(formats)) {
        add(field, (FORMAT_USES[format.id] ?? `${format.id} format`) as Use, `${where} fieldFormatMap`);
        const query = /query:'([^']*)'/.exec(format.params.urlTemplate ?? '')?.[1];
        for (const queried of kqlFields(query ?? '')) add(queried, 'query', `${where} ${field} link`);
      }
    }
    if (object.type === 'search') {
      for (const column of object.attributes.columns as string[]) add(column, 'column', where);
      for (const [field] of object.attributes.sort as Array<[string, string]>) add(field, 'sort', where);
      for (const field of kqlFields(searchSource(object).query.query)) add(field, 'query', where);
    }
    if (object.type === 'lens') {
      const state = object.attributes.state as LensState;
      for (const field of kqlFields(state.query.query)) add(field, 'query', where);
      for (const layer of Object.values(state.datasourceStates.formBased.layers)) {
        for (const [id, column] of Object.entries(layer.columns)) {
          const at = `${where} column ${id}`;
          if (column.sourceField !== undefined && column.sourceField !== RECORDS) {
            add(column.sourceField, column.operationType as Use, at);
          }
          if (column.params?.sortField) add(column.params.sortField, 'last_value sort', at);
          for (const field of kqlFields(column.filter?.query ?? '')) add(field, 'query', at);
        }
      }
    }
  }
  return uses;
}

function fieldProblems(objects: SavedObject[], fieldsByDataView: Map<string, Map<string, string>>): string[] {
  return fieldUses(objects).flatMap(({ field, use, where, dataView }) => {
    const fields = dataView === undefined ? undefined : fieldsByDataView.get(dataView);
    if (fields === undefined) return [`${where}: reads no known data view (${dataView})`];
    const type = fields.get(field);
    if (type === undefined) return [`${where}: ${field} (${use}) is not in the index template`];
    const suits = SUITS[use];
    if (suits === undefined)
      return [`${where}: ${field} is used by an operation the test does not know: ${use}`];
    return suits(type) ? [] : [`${where}: ${field} is ${type}, which does not suit ${use}`];
  });
}

function referenceProblems(objects: SavedObject[]): string[] {
  const problems: string[] = [];
  const known = new Set(objects.map((object) => `${object.type}:${object.id}`));
  for (const object of objects) {
    const where = `${object.type} ${object.id}`;
    const names = new Set(object.references.map((ref) => ref.name));
    for (const ref of object.references) {
      if (!known.has(`${ref.type}:${ref.id}`))
        problems.push(`${where}: ${ref.name} → ${ref.type} ${ref.id} is not in the file`);
    }
    if (object.type === 'search') {
      const indexRefName = searchSource(object).indexRefName;
      if (indexRefName === undefined || !names.has(indexRefName))
        problems.push(`${where}: no data view reference`);
    }
    if (object.type === 'lens') {
      const state = object.attributes.state as LensState;
      for (const [layerId, layer] of Object.entries(state.datasourceStates.formBased.layers)) {
        if (!names.has(`indexpattern-datasource-layer-${layerId}`))
          problems.push(`${where}: layer ${layerId} has no data view`);
        problems.push(...columnProblems(where, layer, state.visualization));
      }
    }
    if (object.type === 'dashboard') {
      const panels = JSON.parse(object.attributes.panelsJSON as string) as Panel[];
      for (const panel of panels) {
        const ref = object.references.find(
          (candidate) => candidate.name === `${panel.panelIndex}:${panel.panelRefName}`,
        );
        if (ref === undefined) problems.push(`${where}: panel ${panel.panelIndex} has no reference`);
        else if (ref.type !== panel.type)
          problems.push(
            `${where}: panel ${panel.panelIndex} is a ${panel.type}, its reference a ${ref.type}`,
          );
      }
      problems.push(...layoutProblems(where, panels));
    }
  }
  return problems;
}

/** Columns listed in order, and every column the chart or an ordering names, exist. */
function columnProblems(where: string, layer: LensLayer, visualization: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const ids = Object.keys(layer.columns);
  if ([...ids].sort().join() !== [...layer.columnOrder].sort().join())
    problems.push(`${where}: columnOrder ≠ columns`);
  for (const [id, column] of Object.entries(layer.columns)) {
    const orderBy = column.params?.orderBy?.columnId;
    if (orderBy !== undefined && !ids.includes(orderBy))
      problems.push(`${where}: ${id} is ordered by missing ${orderBy}`);
  }
  const named =
    JSON.stringify(visualization).match(/"(?:xAccessor|splitAccessor|columnId)":"([^"]+)"/g) ?? [];
  const accessors =
    (visualization.layers as Array<{ accessors: string[] }> | undefined)?.flatMap((l) => l.accessors) ?? [];
  for (const id of [...named.map((text) => text.split(':')[1]!.replaceAll('"', '')), ...accessors]) {
    if (!ids.includes(id)) problems.push(`${where}: the chart names missing column ${id}`);
  }
  return problems;
}

function layoutProblems(where: string, panels: Panel[]): string[] {
  const problems: string[] = [];
  panels.forEach((panel, index) => {
    const a = panel.gridData;
    if (a.x < 0 || a.x + a.w > GRID_COLUMNS)
      problems.push(`${where}: panel ${panel.panelIndex} is outside the grid`);
    for (const other of panels.slice(index + 1)) {
      const b = other.gridData;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) {
        problems.push(`${where}: panels ${panel.panelIndex} and ${other.panelIndex} overlap`);
      }
    }
  });
  return problems;
}

describe('Kibana saved objects (mappings/kibana/*.ndjson)', () => {
  const objects = readSavedObjects();
  const fields = dataViewFields();

  it('holds the two data views, the three searches, the two dashboards and their Lens panels, each id once', () => {
    const keys = objects.map((object) => `${object.type}:${object.id}`);
    assert.equal(new Set(keys).size, keys.length, 'an id appears twice');
    assert.equal(new Set(objects.map((object) => object.id)).size, objects.length);
    const count = (type: string) => objects.filter((object) => object.type === type).length;
    assert.equal(count('index-pattern'), 2);
    assert.equal(count('search'), 3);
    assert.equal(count('dashboard'), 2);
    assert.ok(count('lens') >= 13);
    const titles = objects
      .filter((object) => object.type === 'dashboard')
      .map((object) => object.attributes.title);
    assert.deepEqual(
      titles.sort(),
      ['Talend logs', 'Talend task runs'],
      'dashboards are told apart by title',
    );
    for (const object of objects) {
      // Older-version markers make Kibana 8.8+ and 9.x migrate the objects on import.
      assert.equal(object.coreMigrationVersion, '8.8.0', object.id);
      assert.match(String(object.typeMigrationVersion), /^\d+\.\d+\.\d+$/, object.id);
    }
  });

  it('points the data views at the default prefix, by @timestamp', () => {
    const dataViews = objects.filter((object) => object.type === 'index-pattern');
    assert.deepEqual(
      dataViews.map((dataView) => [
        dataView.id,
        dataView.attributes.title,
        dataView.attributes.timeFieldName,
      ]),
      [
        ['talend-logs-data-view', 'talend-logs*', '@timestamp'],
        ['talend-executions-data-view', 'talend-executions*', '@timestamp'],
      ],
    );
  });

  it('resolves every reference inside the file, and names every panel and layer source', () => {
    assert.deepEqual(referenceProblems(objects), []);
  });

  for (const dataViewId of ['talend-logs-data-view', 'talend-executions-data-view']) {
    it(`links an execution id of ${dataViewId} to the "one execution" search, which reads the log in order`, () => {
      const dataView = objects.find((object) => object.id === dataViewId)!;
      const formats = JSON.parse(dataView.attributes.fieldFormatMap as string) as Record<string, UrlFormat>;
      const link = formats['talend.execution.id'];
      assert.equal(link?.id, 'url');
      const target = /#\/view\/([\w-]+)\?/.exec(link.params.urlTemplate ?? '')?.[1];
      const search = objects.find((object) => object.type === 'search' && object.id === target);
      assert.ok(search, `the link opens search ${target}, which is in the file`);
      assert.match(link.params.urlTemplate!, /query:'talend\.execution\.id:\{\{value\}\}'/);
      assert.deepEqual(search.attributes.sort, [
        ['@timestamp', 'asc'],
        ['talend.position.line', 'asc'],
      ]);
      assert.match(
        String(link.params.urlTemplate),
        /^[a-z]/,
        'relative, so Kibana adds its base path and space',
      );
    });
  }

  it('builds the runs dashboard on the executions data view alone', () => {
    const dashboard = objects.find((object) => object.id === 'talend-runs-dashboard')!;
    for (const ref of dashboard.references) {
      const panel = objects.find((object) => object.id === ref.id)!;
      assert.equal(dataViewOf(panel), 'talend-executions-data-view', panel.id);
    }
    assert.ok(dashboard.references.length >= 7);
  });

  it('names only template fields, each with a type that suits its use', () => {
    const uses = fieldUses(objects);
    for (const field of [
      'talend.execution.duration_ms',
      'talend.error.message',
      'talend.execution.id',
      'event.outcome',
      'talend.lines.errors',
      'talend.lines.dead_letters',
      'talend.lines.total',
    ]) {
      assert.ok(
        uses.some((use) => use.field === field),
        `${field} is used`,
      );
    }
    assert.deepEqual(fieldProblems(objects, fields), []);
  });

  it('catches a renamed field and a field used against its type', () => {
    const renamed = readSavedObjects().map((object) =>
      object.id === 'talend-logs-lens-top-errors'
        ? (JSON.parse(
            JSON.stringify(object).replaceAll('talend.error.message', 'talend.error.msg'),
          ) as SavedObject)
        : object,
    );
    assert.deepEqual(fieldProblems(renamed, fields), [
      'lens talend-logs-lens-top-errors column message: talend.error.msg (terms) is not in the index template',
    ]);
    const misused = new Map(fields).set(
      'talend-logs-data-view',
      new Map(fields.get('talend-logs-data-view')).set('talend.execution.duration_ms', 'keyword'),
    );
    assert.ok(
      fieldProblems(objects, misused).some((problem) =>
        problem.includes('talend.execution.duration_ms is keyword, which does not suit max'),
      ),
    );
    const dangling = readSavedObjects().map((object) =>
      object.type === 'dashboard'
        ? { ...object, references: object.references.map((ref) => ({ ...ref, id: `${ref.id}-gone` })) }
        : object,
    );
    assert.ok(referenceProblems(dangling).length >= 7);
  });
});
