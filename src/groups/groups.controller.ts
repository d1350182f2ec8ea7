import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ref } from '../apps/dto/openapi-schemas';
import { GroupsService, type Query as Q } from './groups.service';

const ID = () => ApiParam({ name: 'id', description: 'Group id path; nested ids may be written raw (`/v2/groups/prod/web`)', example: 'prod/web' });
const FORCE = () => ApiQuery({ name: 'force', required: false, type: Boolean, description: 'Override the lock of running deployments (supersedes them).' });
const EMBED = () =>
  ApiQuery({
    name: 'embed',
    required: false,
    isArray: true,
    type: String,
    description: 'Repeatable: group.groups, group.apps, group.pods (all three by default); group.apps.counts, group.apps.tasks, group.apps.deployments, group.apps.lastTaskFailure, group.apps.failures, group.apps.readiness, group.apps.taskStats',
  });
const DEPLOYED = (status = 200) => ApiResponse({ status, description: 'Deployment stored; header Marathon-Deployment-Id', schema: ref('DeploymentResult') });
const E404 = () => ApiResponse({ status: 404, description: 'Unknown group', schema: ref('Error') });
const E409 = () => ApiResponse({ status: 409, description: 'Locked by a running deployment', schema: ref('LockedError') });
const E422 = () => ApiResponse({ status: 422, description: 'Invalid group: body, dependency cycle, unknown dependency', schema: ref('ValidationError') });
const DRY_RUN = () => ApiQuery({ name: 'dryRun', required: false, type: Boolean, description: 'Answer the plan\'s steps instead of deploying; nothing is stored.' });

@ApiTags('groups')
@Controller('v2/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @ApiOperation({ summary: 'The root group', description: 'Every group and app, as a tree.' })
  @EMBED()
  @ApiResponse({ status: 200, schema: ref('GroupInfo') })
  root(@Query() query: Q) { return this.groups.get(undefined, query); }

  @Get(':id/versions')
  @ApiOperation({ summary: 'Recorded versions of a group, newest first', description: 'One per change made through /v2/groups.' })
  @ID()
  @ApiResponse({ status: 200, schema: ref('GroupVersions') })
  @E404()
  versions(@Param('id') id: string) { return this.groups.versions(id); }

  @Get(':id/versions/:version')
  @ApiOperation({ summary: 'A group as recorded at a version' })
  @ID()
  @ApiParam({ name: 'version', example: '2015-09-30T09:09:17.614Z' })
  @EMBED()
  @ApiResponse({ status: 200, schema: ref('GroupInfo') })
  @E404()
  version(@Param('id') id: string, @Param('version') version: string, @Query() query: Q) { return this.groups.version(id, version, query); }

  @Get(':id')
  @ApiOperation({ summary: 'One group', description: 'The group with its apps and subgroups (a subtree).' })
  @ID()
  @EMBED()
  @ApiResponse({ status: 200, schema: ref('GroupInfo') })
  @E404()
  get(@Param('id') id: string, @Query() query: Q) { return this.groups.get(id, query); }

  @Post()
  @ApiOperation({ summary: 'Create a group', description: 'Creates the group the body describes with all its apps and subgroups, in one deployment ordered by dependencies.' })
  @ApiBody({ schema: ref('GroupUpdate') })
  @FORCE()
  @DEPLOYED(201)
  @ApiResponse({ status: 409, description: 'The group (or an app of that id) exists', schema: ref('Error') })
  @E422()
  create(@Body() body: unknown, @Query() query: Q) { return this.groups.create(undefined, body, query); }

  @Post(':id')
  @ApiOperation({ summary: 'Create a group below a group', description: 'The body\'s id is relative to the URL\'s group.' })
  @ID()
  @ApiBody({ schema: ref('GroupUpdate') })
  @FORCE()
  @DEPLOYED(201)
  @ApiResponse({ status: 409, description: 'The group (or an app of that id) exists', schema: ref('Error') })
  @E422()
  createIn(@Param('id') id: string, @Body() body: unknown, @Query() query: Q) { return this.groups.create(id, body, query); }

  @Put()
  @ApiOperation({ summary: 'Update the root group', description: 'As PUT /v2/groups/{id} on `/`.' })
  @ApiBody({ schema: ref('GroupUpdate') })
  @FORCE()
  @DRY_RUN()
  @DEPLOYED()
  @ApiResponse({ status: 200, description: 'With dryRun=true: the plan', schema: ref('GroupDryRun') })
  @E409()
  @E422()
  putRoot(@Body() body: unknown, @Query() query: Q) { return this.groups.put(undefined, body, query); }

  @Put(':id/versions/:version')
  @ApiOperation({ summary: 'Roll a group back to a recorded version', description: 'Same as PUT /v2/groups/{id} with `{"version": ...}` (the python client calls this path).' })
  @ID()
  @ApiParam({ name: 'version', example: '2015-09-30T09:09:17.614Z' })
  @FORCE()
  @DEPLOYED()
  @E409()
  @E422()
  rollback(@Param('id') id: string, @Param('version') version: string, @Query() query: Q) { return this.groups.rollbackTo(id, version, query); }

  @Put(':id')
  @ApiOperation({
    summary: 'Update (or create) a group',
    description:
      'Apps, subgroups and dependencies as in the body (absent fields keep what is stored; apps left out are stopped); `{"scaleBy": f}` multiplies every app\'s instances; ' +
      '`{"version": ts}` rolls the whole group back. One deployment, its steps ordered by dependencies.',
  })
  @ID()
  @ApiBody({ schema: ref('GroupUpdate') })
  @FORCE()
  @DRY_RUN()
  @DEPLOYED()
  @ApiResponse({ status: 200, description: 'With dryRun=true: the plan', schema: ref('GroupDryRun') })
  @E404()
  @E409()
  @E422()
  put(@Param('id') id: string, @Body() body: unknown, @Query() query: Q) { return this.groups.put(id, body, query); }

  @Delete()
  @ApiOperation({ summary: 'Delete every group and app', description: 'Stops everything.' })
  @FORCE()
  @DEPLOYED()
  @E409()
  deleteRoot(@Query() query: Q) { return this.groups.delete(undefined, query); }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a group', description: 'Stops every app below it and drops its subgroups and recorded versions.' })
  @ID()
  @FORCE()
  @DEPLOYED()
  @E404()
  @E409()
  delete(@Param('id') id: string, @Query() query: Q) { return this.groups.delete(id, query); }
}
