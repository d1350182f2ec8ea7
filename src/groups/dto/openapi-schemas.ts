/**
 * OpenAPI schemas of Marathon's group shapes (reference §1.3): GroupInfo (answers), GroupUpdate
 * (bodies), the dry-run plan. Registered next to the app schemas (src/apps/dto/openapi-schemas.ts)
 * by buildOpenApiDocument; they reference AppInfo/AppDefinition/DeploymentStep from there.
 */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ref } from '../../apps/dto/openapi-schemas';

const str = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, ...extra });
const ids = (description: string): SchemaObject => ({ type: 'array', items: { type: 'string' }, description, uniqueItems: true });

export const GROUP_OPENAPI_SCHEMAS: Record<string, SchemaObject> = {
  GroupInfo: {
    type: 'object',
    description:
      'A group: a namespace of apps and subgroups (derived from app ids, or stored when created through /v2/groups) with its own dependencies. ' +
      '`apps`, `groups` and `pods` are present when embedded (all three by default).',
    properties: {
      id: str('Absolute group id such as `/prod/web`; `/` is the root.'),
      apps: { type: 'array', items: ref('AppInfo'), description: 'Apps directly in the group; status fields only as embedded (`embed=group.apps.counts` …).' },
      groups: { type: 'array', items: ref('GroupInfo'), description: 'Subgroups, with the same embeds.' },
      pods: { type: 'array', items: { type: 'object' }, description: 'Always empty: Pacer has no pods.' },
      dependencies: ids('Apps or groups every app of this group waits for during deployments.'),
      version: str('The latest change within the group.', { format: 'date-time', example: '2015-09-25T15:13:48.343Z' }),
    },
    required: ['id', 'dependencies', 'version'],
  },
  GroupUpdate: {
    type: 'object',
    description:
      'Body of POST /v2/groups and PUT /v2/groups/{id}. Absent fields keep what is stored; `apps` replaces the direct apps (apps left out are stopped), ' +
      '`groups` the subgroups (left out = removed), `dependencies` the dependencies. `scaleBy` and `version` are each allowed only alone (with `id`).',
    properties: {
      id: str('Group id, absolute or relative to the URL\'s group.'),
      apps: { type: 'array', items: ref('AppDefinition'), description: 'Apps directly in the group; ids relative to the group or absolute direct children.' },
      groups: { type: 'array', items: ref('GroupUpdate'), description: 'Subgroups (direct children), updated by the same rules.' },
      dependencies: ids('Apps or groups every app of this group waits for; relative ids resolve against the group.'),
      scaleBy: { type: 'number', format: 'double', minimum: 0, description: 'Multiply the instances of every app below the group (rounded up).' },
      version: str('Roll the whole group back to this recorded version (GET /v2/groups/{id}/versions).', { format: 'date-time' }),
      enforceRole: { type: 'boolean', description: 'Accepted for compatibility; Pacer does not enforce group roles.' },
    },
  },
  GroupDryRun: {
    type: 'object',
    description: 'Answer of PUT /v2/groups/{id}?dryRun=true: the plan that would be deployed; nothing is stored.',
    properties: { steps: { type: 'array', items: ref('DeploymentStep'), description: 'Steps in order; actions of a step run together.' } },
    required: ['steps'],
  },
  GroupVersions: {
    type: 'array',
    items: { type: 'string', format: 'date-time' },
    description: 'Versions recorded by changes made through /v2/groups, newest first.',
  },
};
