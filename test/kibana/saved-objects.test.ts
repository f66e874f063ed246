/**
 * Every saved object `setup` imports (mappings/kibana/*.ndjson) held to what Kibana's own schemas and
 * migrations require, for each Kibana version README names, and to the fields of mappings/: the rules
 * and the Kibana files they come from are in kibana-rules.ts. Kibana itself cannot run here; these
 * checks are what it would refuse or render broken. The last tests break copies of the objects and of
 * the mappings to show that each check fails when it should.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { packageFile } from '../../src/common/package-files.ts';
import { parseNdjson, readSavedObjects, type SavedObject } from '../../src/kibana/saved-objects.ts';
import { KIBANA_VERSIONS } from './kibana-rules.ts';
import type { FieldMap, MappedField } from './mapping-fields.ts';
import {
  dashboardProblems,
  documentProblems,
  fieldProblems,
  fieldsByDataView,
  lensProblems,
  referenceProblems,
  savedSearchProblems,
  versionProblems,
  type FieldsByDataView,
} from './saved-object-checks.ts';

const LOGS_VIEW = 'talend-logs-data-view';
const RUNS_VIEW = 'talend-executions-data-view';

/** Every check at once, as the suite runs them on the shipped files. */
function allProblems(objects: SavedObject[], fields: FieldsByDataView = fieldsByDataView(objects)): string[] {
  return [
    ...documentProblems(objects),
    ...KIBANA_VERSIONS.flatMap((kibana) => versionProblems(objects, kibana)),
    ...referenceProblems(objects),
    ...dashboardProblems(objects),
    ...savedSearchProblems(objects),
    ...lensProblems(objects, fields),
    ...fieldProblems(objects, fields),
  ];
}

/** A deep copy of the shipped objects with one of them changed. */
function mutated(id: string, change: (object: SavedObject) => void): SavedObject[] {
  const copy = structuredClone(readSavedObjects());
  const object = copy.find((candidate) => candidate.id === id);
  assert.ok(object, `${id} is shipped`);
  change(object);
  return copy;
}

/** A Lens column of a shipped object, to change in a copy. */
function lensColumn(object: SavedObject, columnId: string): Record<string, unknown> {
  const state = object.attributes.state as {
    datasourceStates: {
      formBased: { layers: Record<string, { columns: Record<string, Record<string, unknown>> }> };
    };
  };
  const column = state.datasourceStates.formBased.layers.main?.columns[columnId];
  assert.ok(column, `${object.id} has column ${columnId}`);
  return column;
}

function panels(object: SavedObject): Array<Record<string, unknown> & { gridData: Record<string, number> }> {
  return JSON.parse(object.attributes.panelsJSON as string) as Array<
    Record<string, unknown> & { gridData: Record<string, number> }
  >;
}

/** The fields of the shipped data views with one field of one view changed or gone. */
function withField(view: string, name: string, field: MappedField | undefined): FieldsByDataView {
  const fields = fieldsByDataView(readSavedObjects());
  const changed = new Map<string, MappedField>(fields.get(view));
  if (field === undefined) changed.delete(name);
  else changed.set(name, field);
  return new Map<string, FieldMap>(fields).set(view, changed);
}

describe('Kibana saved objects (mappings/kibana/*.ndjson) against Kibana and mappings/', () => {
  const objects = readSavedObjects();
  const fields = fieldsByDataView(objects);

  it('are NDJSON: one saved object per line, each file ending with a newline', () => {
    const dir = packageFile('mappings', 'kibana');
    const files = readdirSync(dir).filter((file) => file.endsWith('.ndjson'));
    assert.deepEqual(files.sort(), ['talend-logs.ndjson', 'talend-runs.ndjson']);
    for (const file of files) {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      assert.ok(text.endsWith('\n'), `${file} ends with a newline`);
      const lines = text.slice(0, -1).split('\n');
      for (const line of lines) {
        const parsed = JSON.parse(line) as unknown;
        assert.ok(
          typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed),
          `${file}: ${line.slice(0, 60)}`,
        );
      }
      assert.equal(parseNdjson(text).length, lines.length, `${file} has no blank line`);
    }
  });

  it('hold the two data views, the three searches, the two dashboards and their Lens panels', () => {
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
  });

  it('use only the keys and attributes Kibana’s schemas take', () => {
    assert.deepEqual(documentProblems(objects), []);
  });

  for (const kibana of KIBANA_VERSIONS) {
    it(`carry a coreMigrationVersion and typeMigrationVersion Kibana ${kibana} migrates without refusing`, () => {
      assert.deepEqual(versionProblems(objects, kibana), []);
    });
  }

  it('resolve every reference inside the file, under the name Kibana looks it up by', () => {
    assert.deepEqual(referenceProblems(objects), []);
  });

  it('lay out each dashboard as its schema wants: known panel types, a 48-column grid, no overlap', () => {
    assert.deepEqual(dashboardProblems(objects), []);
  });

  it('give each saved search the attribute types of its schema, on a data view', () => {
    assert.deepEqual(savedSearchProblems(objects), []);
  });

  it('give every Lens visualization valid form-based layers, operations, params and chart accessors', () => {
    assert.deepEqual(lensProblems(objects, fields), []);
  });

  it('name only fields the data view’s indices map, each with a type its use takes', () => {
    assert.deepEqual(fieldProblems(objects, fields), []);
    const logs = fields.get(LOGS_VIEW)!;
    assert.equal(
      logs.get('talend.error.message')?.esType,
      'keyword',
      'the logs view sees the talend component',
    );
    assert.equal(logs.get('log.level')?.esType, 'keyword', 'and the ECS component');
    assert.equal(logs.get('message')?.aggregatable, false);
    assert.equal(fields.get(RUNS_VIEW)!.get('talend.lines.errors')?.kibanaType, 'number');
    assert.equal(
      fields.get(RUNS_VIEW)!.has('log.level'),
      false,
      'the runs view does not see the log indices',
    );
  });

  it('point the data views at the default prefix, by @timestamp', () => {
    const dataViews = objects.filter((object) => object.type === 'index-pattern');
    assert.deepEqual(
      dataViews.map((view) => [view.id, view.attributes.title, view.attributes.timeFieldName]),
      [
        [LOGS_VIEW, 'talend-logs*', '@timestamp'],
        [RUNS_VIEW, 'talend-executions*', '@timestamp'],
      ],
    );
  });

  for (const dataViewId of [LOGS_VIEW, RUNS_VIEW]) {
    it(`link an execution id of ${dataViewId} to the "one execution" search, which reads the log in order`, () => {
      const dataView = objects.find((object) => object.id === dataViewId)!;
      const formats = JSON.parse(dataView.attributes.fieldFormatMap as string) as Record<
        string,
        { id: string; params: { urlTemplate?: string } }
      >;
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

  it('build the runs dashboard on the executions data view alone', () => {
    const dashboard = objects.find((object) => object.id === 'talend-runs-dashboard')!;
    assert.ok(dashboard.references.length >= 7);
    for (const ref of dashboard.references) {
      const panel = objects.find((object) => object.id === ref.id)!;
      assert.deepEqual(
        panel.references.map((layerRef) => layerRef.id),
        [RUNS_VIEW],
        panel.id,
      );
    }
  });

  it('are checked for the Kibana versions README and docker-compose.yml name', () => {
    const readme = readFileSync(packageFile('README.md'), 'utf8');
    const range = /Kibana (\d+)\.(\d+) or later, (\d+)\.x included/.exec(readme);
    assert.ok(range, 'README names the Kibana versions it supports');
    assert.ok(KIBANA_VERSIONS.includes(`${range[1]}.${range[2]}.0` as never), 'the oldest supported');
    assert.ok(KIBANA_VERSIONS.includes(`${range[3]}.0.0` as never), 'the first of the newest major');
    const compose = readFileSync(packageFile('docker-compose.yml'), 'utf8');
    const image = /kibana\/kibana:(\d+\.\d+\.\d+)/.exec(compose)?.[1];
    assert.ok(KIBANA_VERSIONS.includes(image as never), `the Compose Kibana ${image}`);
    assert.ok(readme.includes('npm run test:kibana'), 'README shows npm run test:kibana');
    const checked = KIBANA_VERSIONS.map((version) =>
      version.endsWith('.0.0') ? version.replace('.0.0', '.x') : version.replace(/\.\d+$/, ''),
    );
    const listed = `Kibana ${checked.slice(0, -1).join(', ')} and ${checked.at(-1)!} accept`;
    assert.ok(readme.replace(/\s+/g, ' ').includes(listed), `README says: ${listed}`);
  });
});

describe('the Kibana checks fail on broken copies of the objects and mappings', () => {
  it('a Lens column on a field the mappings lack', () => {
    const broken = mutated('talend-logs-lens-top-errors', (object) => {
      lensColumn(object, 'message').sourceField = 'talend.error.msg';
    });
    assert.deepEqual(allProblems(broken), [
      'lens talend-logs-lens-top-errors layer main column message: talend.error.msg (terms) is not in the mappings',
    ]);
  });

  it('a field renamed in the mappings under a panel that still uses the old name', () => {
    const problems = lensProblems(
      readSavedObjects(),
      withField(LOGS_VIEW, 'talend.error.message', undefined),
    );
    assert.deepEqual(problems, [
      'lens talend-logs-lens-top-errors layer main column message: talend.error.message (terms) is not in the mappings',
    ]);
  });

  it('an operation on a field whose type it does not take', () => {
    const sumOfKeyword = mutated('talend-runs-lens-with-errors', (object) => {
      Object.assign(lensColumn(object, 'errors'), { sourceField: 'talend.task.name', operationType: 'sum' });
    });
    assert.ok(
      allProblems(sumOfKeyword).includes(
        'lens talend-runs-lens-with-errors layer main column errors: talend.task.name is keyword, which sum does not take',
      ),
    );
    const histogramOfKeyword = mutated('talend-logs-lens-volume-by-level', (object) => {
      lensColumn(object, 'time').sourceField = 'log.level';
    });
    assert.ok(
      allProblems(histogramOfKeyword).includes(
        'lens talend-logs-lens-volume-by-level layer main column time: log.level is keyword, which date_histogram does not take',
      ),
    );
    const termsOfText = mutated('talend-logs-lens-top-errors', (object) => {
      lensColumn(object, 'message').sourceField = 'message';
    });
    assert.ok(
      allProblems(termsOfText).includes(
        'lens talend-logs-lens-top-errors layer main column message: message has no doc values, which terms needs',
      ),
    );
    const keywordBecameText = lensProblems(
      readSavedObjects(),
      withField(RUNS_VIEW, 'talend.execution.duration_ms', {
        esType: 'keyword',
        kibanaType: 'string',
        aggregatable: true,
        searchable: true,
      }),
    );
    assert.ok(
      keywordBecameText.includes(
        'lens talend-runs-lens-duration layer main column p95: talend.execution.duration_ms is keyword, which percentile does not take',
      ),
    );
  });

  it('a filter, query, saved search column or format on a field the mappings lack', () => {
    const filter = mutated('talend-runs-lens-failures-by-task', (object) => {
      lensColumn(object, 'failures').filter = { query: 'event.result: failure', language: 'kuery' };
    });
    assert.deepEqual(allProblems(filter), [
      'lens talend-runs-lens-failures-by-task layer main column failures filter: event.result (query) is not in the mappings',
    ]);
    const pinned = {
      meta: { key: 'talend.run.owner' },
      query: { match_phrase: { 'talend.run.owner': 'ops' } },
    };
    const lensFilter = mutated('talend-runs-lens-outcomes', (object) => {
      (object.attributes.state as { filters: unknown[] }).filters.push(pinned);
    });
    assert.deepEqual(allProblems(lensFilter), [
      'lens talend-runs-lens-outcomes filter: talend.run.owner is not in the mappings',
    ]);
    const searchFilter = mutated('talend-logs-search-errors', (object) => {
      const meta = object.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
      const source = JSON.parse(meta.searchSourceJSON) as { filter: unknown[] };
      source.filter.push({
        meta: { key: 'error.stack_trace' },
        query: { exists: { field: 'error.stack_trace' } },
      });
      meta.searchSourceJSON = JSON.stringify(source);
    });
    assert.deepEqual(allProblems(searchFilter), [
      'search talend-logs-search-errors filter: error.stack_trace is neither indexed nor has doc values',
    ]);
    const column = mutated('talend-logs-search-all', (object) => {
      (object.attributes.columns as string[]).push('talend.task.owner');
    });
    assert.deepEqual(allProblems(column), [
      'search talend-logs-search-all: column talend.task.owner is not in the mappings',
    ]);
    const sort = mutated('talend-logs-search-execution', (object) => {
      object.attributes.sort = [['message', 'asc']];
    });
    assert.deepEqual(allProblems(sort), [
      'search talend-logs-search-execution: sort field message has no doc values',
    ]);
    const format = mutated(RUNS_VIEW, (object) => {
      object.attributes.fieldFormatMap = JSON.stringify({
        'talend.task.name': { id: 'duration', params: {} },
      });
    });
    assert.deepEqual(allProblems(format), [
      'index-pattern talend-executions-data-view: talend.task.name is keyword, which format duration does not take',
    ]);
  });

  it('a data view whose pattern covers none of our indices', () => {
    const broken = mutated(RUNS_VIEW, (object) => {
      object.attributes.title = 'talend-execution-*';
    });
    const problems = allProblems(broken);
    assert.ok(
      problems.includes(
        'index-pattern talend-executions-data-view: talend-execution-* covers no index of mappings/',
      ),
    );
    assert.ok(
      problems.some((problem) => problem.startsWith('lens talend-runs-lens-outcomes layer main column')),
    );
  });

  it('a typeMigrationVersion newer than a Kibana knows, or older than the shape shipped', () => {
    const newer = mutated('talend-runs-lens-silent', (object) => {
      object.typeMigrationVersion = '8.9.0';
    });
    assert.deepEqual(versionProblems(newer, '8.8.0'), [
      "lens talend-runs-lens-silent in Kibana 8.8.0: typeMigrationVersion 8.9.0 is newer than lens's 8.6.0",
    ]);
    assert.deepEqual(versionProblems(newer, '8.19.7'), []);
    const modelVersion = mutated('talend-logs-dashboard', (object) => {
      object.typeMigrationVersion = '10.1.0';
    });
    assert.equal(versionProblems(modelVersion, '8.8.0').length, 1);
    assert.deepEqual(versionProblems(modelVersion, '9.0.0'), []);
    const older = mutated('talend-runs-lens-silent', (object) => {
      object.typeMigrationVersion = '8.5.0';
    });
    assert.deepEqual(versionProblems(older, '9.0.0'), [
      'lens talend-runs-lens-silent in Kibana 9.0.0: typeMigrationVersion 8.5.0 would rerun the 8.6.0 migration over what the file holds',
    ]);
    const between = mutated('talend-logs-search-all', (object) => {
      object.typeMigrationVersion = '8.12.0';
    });
    assert.ok(
      versionProblems(between, '9.0.0').some((problem) =>
        problem.includes('neither a migration nor a model version'),
      ),
    );
  });

  it('a coreMigrationVersion from a later Kibana, or one without typeMigrationVersion', () => {
    const later = mutated('talend-logs-data-view', (object) => {
      object.coreMigrationVersion = '8.19.0';
    });
    assert.deepEqual(versionProblems(later, '8.8.0'), [
      'index-pattern talend-logs-data-view in Kibana 8.8.0: coreMigrationVersion 8.19.0 belongs to a more recent Kibana',
    ]);
    assert.deepEqual(versionProblems(later, '8.19.7'), []);
    const earlier = mutated('talend-logs-data-view', (object) => {
      object.coreMigrationVersion = '8.7.0';
    });
    assert.equal(versionProblems(earlier, '9.0.0').length, 1);
  });

  it('a dangling or misnamed reference', () => {
    const dangling = readSavedObjects().map((object) =>
      object.type === 'dashboard'
        ? { ...object, references: object.references.map((ref) => ({ ...ref, id: `${ref.id}-gone` })) }
        : object,
    );
    assert.equal(referenceProblems(dangling).length, 14);
    const layer = mutated('talend-logs-lens-errors-by-task', (object) => {
      object.references[0]!.name = 'indexpattern-datasource-layer-other';
    });
    assert.ok(
      allProblems(layer).includes(
        'lens talend-logs-lens-errors-by-task: no data view reference indexpattern-datasource-layer-main',
      ),
    );
    const panelType = mutated('talend-logs-dashboard', (object) => {
      object.references[0]!.type = 'search';
    });
    assert.ok(
      referenceProblems(panelType).some((problem) => problem.includes('is a lens, its reference a search')),
    );
  });

  it('unknown keys, options and panels the dashboard schema refuses, and panels off the grid', () => {
    const attribute = mutated('talend-logs-dashboard', (object) => {
      object.attributes.panels = [];
    });
    assert.deepEqual(documentProblems(attribute), [
      "dashboard talend-logs-dashboard: attribute panels is not in Kibana's schema of dashboard",
    ]);
    const option = mutated('talend-runs-dashboard', (object) => {
      object.attributes.optionsJSON = JSON.stringify({ useMargins: true, darkTheme: true });
    });
    assert.deepEqual(dashboardProblems(option), [
      'dashboard talend-runs-dashboard: unknown option darkTheme',
    ]);
    const moved = (x: number) =>
      mutated('talend-runs-dashboard', (object) => {
        const list = panels(object);
        list[1]!.gridData.x = x;
        object.attributes.panelsJSON = JSON.stringify(list);
      });
    assert.deepEqual(dashboardProblems(moved(20)), [
      'dashboard talend-runs-dashboard: panels panel-1 and panel-2 overlap',
    ]);
    assert.deepEqual(dashboardProblems(moved(40)), [
      'dashboard talend-runs-dashboard panel panel-2: outside the 48-column grid',
    ]);
    const embeddable = mutated('talend-logs-dashboard', (object) => {
      const list = panels(object);
      list[6]!.type = 'visualization';
      object.attributes.panelsJSON = JSON.stringify(list);
    });
    assert.ok(
      dashboardProblems(embeddable).includes(
        'dashboard talend-logs-dashboard panel panel-7: unknown panel type visualization',
      ),
    );
  });

  it('a saved search Kibana would not read as one on a data view', () => {
    const broken = mutated('talend-logs-search-errors', (object) => {
      object.attributes.isTextBasedQuery = true;
      object.attributes.sort = [['@timestamp', 'desc', 'twice']];
    });
    assert.deepEqual(savedSearchProblems(broken), [
      'search talend-logs-search-errors: sort is not a list of [field, direction]',
      'search talend-logs-search-errors: not a data view search (isTextBasedQuery)',
    ]);
  });

  it('Lens state Lens does not write: a chart on a missing column, a bad param, an order by a bucket', () => {
    const accessor = mutated('talend-logs-lens-volume-by-level', (object) => {
      (
        object.attributes.state as { visualization: { layers: Array<{ accessors: string[] }> } }
      ).visualization.layers[0]!.accessors = ['count'];
    });
    assert.deepEqual(lensProblems(accessor, fieldsByDataView(accessor)), [
      'lens talend-logs-lens-volume-by-level XY layer main: count is not a metric column',
      'lens talend-logs-lens-volume-by-level XY layer main: column lines is on no axis',
    ]);
    const percentile = mutated('talend-runs-lens-duration', (object) => {
      (lensColumn(object, 'p95').params as Record<string, unknown>).percentile = 100;
    });
    assert.deepEqual(lensProblems(percentile, fieldsByDataView(percentile)), [
      'lens talend-runs-lens-duration layer main column p95: percentile 100 out of range',
    ]);
    const orderBy = mutated('talend-logs-lens-failed-executions', (object) => {
      (lensColumn(object, 'status').params as { orderBy: { columnId: string } }).orderBy.columnId = 'task';
    });
    assert.deepEqual(lensProblems(orderBy, fieldsByDataView(orderBy)), [
      'lens talend-logs-lens-failed-executions layer main column status: ordered by task, which is no metric of the layer',
    ]);
    const dataType = mutated('talend-logs-lens-top-errors', (object) => {
      lensColumn(object, 'last').dataType = 'number';
    });
    assert.deepEqual(lensProblems(dataType, fieldsByDataView(dataType)), [
      'lens talend-logs-lens-top-errors layer main column last: dataType number, Lens makes it date',
    ]);
    const visualization = mutated('talend-logs-lens-top-errors', (object) => {
      object.attributes.visualizationType = 'lnsPie';
    });
    assert.deepEqual(lensProblems(visualization, fieldsByDataView(visualization)), [
      'lens talend-logs-lens-top-errors: visualization lnsPie is not one the checks know',
    ]);
  });
});
