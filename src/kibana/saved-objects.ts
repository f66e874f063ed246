import { readFileSync } from 'node:fs';
import { packageFile } from '../common/package-files.ts';
import { defaultOf } from '../config/settings.ts';
import { logsAlias } from '../store/index-names.ts';

export interface SavedObjectReference {
  id: string;
  type: string;
  name: string;
}

/** One line of a Kibana saved-objects NDJSON export, as far as we read or rewrite it. */
export interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: SavedObjectReference[];
  [field: string]: unknown;
}

/** The data view's pattern covers the monthly indices and their alias alike. */
export function dataViewPattern(prefix: string): string {
  return `${logsAlias(prefix)}*`;
}

/** The dashboard, its Lens panels, saved searches and data view, as shipped in mappings/kibana/. */
export function readSavedObjects(
  file: string = packageFile('mappings', 'kibana', 'talend-logs.ndjson'),
): SavedObject[] {
  return parseNdjson(readFileSync(file, 'utf8'));
}

export function parseNdjson(text: string): SavedObject[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SavedObject);
}

export function toNdjson(objects: SavedObject[]): string {
  return objects.map((object) => JSON.stringify(object)).join('\n') + '\n';
}

/**
 * The file targets the default prefix of the settings table; another prefix only changes the data view's pattern, since every
 * other object reaches the indices through the data view's id.
 */
export function withIndexPrefix(objects: SavedObject[], prefix: string): SavedObject[] {
  const shipped = dataViewPattern(defaultOf('indexPrefix'));
  return objects.map((object) =>
    object.type === 'index-pattern' && object.attributes.title === shipped
      ? { ...object, attributes: { ...object.attributes, title: dataViewPattern(prefix) } }
      : object,
  );
}
