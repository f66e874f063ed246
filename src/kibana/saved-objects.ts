import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../common/package-files.ts';
import { indexNames, type IndexNames } from '../config/index-names.ts';
import { defaultOf } from '../config/settings.ts';

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

/** The dashboards, their Lens panels, saved searches and data views, as shipped in mappings/kibana/. */
export function readSavedObjects(dir: string = packageFile('mappings', 'kibana')): SavedObject[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ndjson'))
    .sort()
    .flatMap((file) => parseNdjson(readFileSync(join(dir, file), 'utf8')));
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
 * The files target the default prefix; another prefix only changes the data views' patterns, since
 * every other object reaches the indices through a data view's id.
 */
export function withIndexPrefix(objects: SavedObject[], names: IndexNames): SavedObject[] {
  const shipped = indexNames(defaultOf('indexPrefix')).dataViewPatterns;
  const wanted = names.dataViewPatterns;
  return objects.map((object) => {
    const at = object.type === 'index-pattern' ? shipped.indexOf(object.attributes.title as string) : -1;
    return at === -1 ? object : { ...object, attributes: { ...object.attributes, title: wanted[at] } };
  });
}
