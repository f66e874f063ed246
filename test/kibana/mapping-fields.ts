/**
 * The fields a Kibana data view sees, worked out from mappings/ alone: the index templates whose
 * indices its pattern covers, each with the component templates it is composed of, flattened the way
 * Elasticsearch's field capabilities report them (Kibana builds a data view's field list from those).
 */
import { readdirSync } from 'node:fs';
import { packageFile } from '../../src/common/package-files.ts';
import { indexNames } from '../../src/config/index-names.ts';
import { defaultOf } from '../../src/config/settings.ts';
import { mappingFile as installedMapping } from '../../src/store/templates.ts';
import { KIBANA_FIELD_TYPE } from './kibana-rules.ts';

export interface MappedField {
  esType: string;
  /** Kibana's type for it; `conflict` when two covered indices map it differently. */
  kibanaType: string;
  /** Has doc values: terms, metrics and sorting work on it. */
  aggregatable: boolean;
  /**
   * Indexed or with doc values: a query can test it (Elasticsearch queries a field that is not
   * indexed but has doc values, more slowly).
   */
  searchable: boolean;
}

export type FieldMap = ReadonlyMap<string, MappedField>;

interface MappingNode {
  type?: string;
  index?: boolean;
  doc_values?: boolean;
  enabled?: boolean;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
}

interface TemplateBody {
  index_patterns?: string[];
  composed_of?: string[];
  template?: { mappings?: { properties?: Record<string, MappingNode> } };
}

/** Types without doc values whatever the mapping says (text needs fielddata, which we never enable). */
const TEXT_TYPES = new Set(['text', 'match_only_text']);

/** A file of mappings/, with the default prefix's names filled in: component file names are their names then. */
function mappingFile(file: string): TemplateBody {
  return installedMapping(file, indexNames(defaultOf('indexPrefix'))) as TemplateBody;
}

/** The index templates of mappings/, by file: those with index patterns. */
export function indexTemplates(): Map<string, TemplateBody> {
  const templates = new Map<string, TemplateBody>();
  for (const file of readdirSync(packageFile('mappings')).filter((name) => name.endsWith('.json'))) {
    const body = mappingFile(file);
    if (body.index_patterns !== undefined) templates.set(file, body);
  }
  return templates;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Whether a data view pattern (comma-separated, `*` wildcards, `-` exclusions) covers indices an index
 * pattern creates: tried on a name the index pattern produces.
 */
function covers(dataViewPattern: string, indexPattern: string): boolean {
  const sample = indexPattern.replaceAll('*', '2026.01');
  const parts = dataViewPattern.split(',').map((part) => part.trim());
  const included = parts
    .filter((part) => !part.startsWith('-'))
    .some((part) => globToRegExp(part).test(sample));
  const excluded = parts
    .filter((part) => part.startsWith('-'))
    .some((part) => globToRegExp(part.slice(1)).test(sample));
  return included && !excluded;
}

function addFields(
  fields: Map<string, MappedField>,
  properties: Record<string, MappingNode>,
  path: string,
): void {
  for (const [name, node] of Object.entries(properties)) {
    const field = `${path}${name}`;
    if (node.enabled === false) continue;
    if (node.type !== undefined && node.type !== 'object' && node.type !== 'nested') {
      const found: MappedField = {
        esType: node.type,
        kibanaType: KIBANA_FIELD_TYPE[node.type] ?? 'unknown',
        aggregatable: !TEXT_TYPES.has(node.type) && node.doc_values !== false,
        searchable: node.index !== false || (!TEXT_TYPES.has(node.type) && node.doc_values !== false),
      };
      const known = fields.get(field);
      fields.set(
        field,
        known === undefined || known.kibanaType === found.kibanaType
          ? found
          : { ...found, kibanaType: 'conflict' },
      );
    }
    if (node.properties) addFields(fields, node.properties, `${field}.`);
    if (node.fields) addFields(fields, node.fields, `${field}.`);
  }
}

/** The fields of the indices a data view pattern covers; empty when it covers none of ours. */
export function dataViewFields(pattern: string): FieldMap {
  const fields = new Map<string, MappedField>();
  for (const [file, template] of indexTemplates()) {
    if (!template.index_patterns!.some((indexPattern) => covers(pattern, indexPattern))) continue;
    for (const part of [...(template.composed_of ?? []).map((name) => `${name}.json`), file]) {
      addFields(fields, mappingFile(part).template?.mappings?.properties ?? {}, '');
    }
  }
  return fields;
}
