/** The Elastic Common Schema version our documents and our own log lines follow. */
export const ECS_VERSION = '8.11.0';
