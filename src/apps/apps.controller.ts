import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ref } from './dto/openapi-schemas';
import { AppsService, type Query as Q } from './apps.service';

const ID = () => ApiParam({ name: 'id', description: "App id path; nested ids may be written raw (`/v2/apps/prod/web`)", example: 'prod/web' });
const FORCE = () => ApiQuery({ name: 'force', required: false, type: Boolean, description: 'Override the lock of running deployments (supersedes them).' });
const EMBED = (prefix: string) =>
  ApiQuery({ name: 'embed', required: false, isArray: true, type: String, description: `Repeatable: ${prefix}.tasks, ${prefix}.counts, ${prefix}.deployments, ${prefix}.readiness, ${prefix}.lastTaskFailure, ${prefix}.failures, ${prefix}.taskStats` });
const DEPLOYED = (status = 200) => ApiResponse({ status, description: 'Deployment stored; header Marathon-Deployment-Id', schema: ref('DeploymentResult') });
const E422 = () => ApiResponse({ status: 422, description: 'Invalid definition', schema: ref('ValidationError') });
const E404 = () => ApiResponse({ status: 404, description: 'Unknown app', schema: ref('Error') });
const E409 = () => ApiResponse({ status: 409, description: 'Locked by a running deployment', schema: ref('LockedError') });

@ApiTags('apps')
@Controller('v2/apps')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  @Get()
  @ApiOperation({ summary: 'List apps', description: 'Filters are AND-ed. Counts and deployments are always embedded.' })
  @ApiQuery({ name: 'id', required: false, description: 'Case-insensitive substring of the id' })
  @ApiQuery({ name: 'cmd', required: false, description: 'Case-insensitive substring of cmd' })
  @ApiQuery({ name: 'label', required: false, description: 'Label selector: `env==prod,tier!=db`, `k in (a,b)`, `k notin (a)`, `k`' })
  @EMBED('apps')
  @ApiResponse({ status: 200, schema: ref('AppList') })
  list(@Query() query: Q) { return this.apps.list(query); }

  @Post()
  @ApiOperation({ summary: 'Create an app', description: 'Answers 201 with the stored app (version set by the server) once its deployment is stored.' })
  @ApiBody({ schema: ref('AppDefinition') })
  @FORCE()
  @ApiResponse({ status: 201, description: 'Created; headers Location and Marathon-Deployment-Id', schema: ref('AppInfo') })
  @ApiResponse({ status: 409, description: 'An app with this id exists', schema: ref('Error') })
  @E422()
  create(@Body() body: unknown, @Query() query: Q) { return this.apps.create(body, query); }

  @Put()
  @ApiOperation({ summary: 'Create or update many apps in one deployment' })
  @ApiBody({ schema: { type: 'array', items: ref('AppDefinition') } })
  @FORCE()
  @ApiQuery({ name: 'partialUpdate', required: false, type: Boolean, description: 'true (default): merge into stored apps; false: replace' })
  @DEPLOYED()
  @E409()
  @E422()
  putMany(@Body() body: unknown, @Query() query: Q) { return this.apps.putMany(body, query); }

  @Patch()
  @ApiOperation({ summary: 'Partially update many existing apps in one deployment' })
  @ApiBody({ schema: { type: 'array', items: ref('AppDefinition') } })
  @FORCE()
  @DEPLOYED()
  @E404()
  @E409()
  @E422()
  patchMany(@Body() body: unknown, @Query() query: Q) { return this.apps.patchMany(body, query); }

  @Get(':id')
  @ApiOperation({ summary: 'Get one app', description: '`{group}/*` lists every app below the group as `{"*": [...]}`.' })
  @ID()
  @EMBED('app')
  @ApiResponse({ status: 200, schema: ref('AppResponse') })
  @E404()
  get(@Param('id') id: string, @Query() query: Q) { return this.apps.get(id, query); }

  @Put(':id')
  @ApiOperation({
    summary: 'Update (or create) an app',
    description: 'Merges into the stored app by default (Marathon 1.x); `partialUpdate=false` replaces it; a missing app is created (201). `{"version": "<ts>"}` rolls back to that stored version.',
  })
  @ID()
  @ApiBody({ schema: ref('AppDefinition') })
  @FORCE()
  @ApiQuery({ name: 'partialUpdate', required: false, type: Boolean, description: 'true (default): merge; false: replace' })
  @DEPLOYED()
  @DEPLOYED(201)
  @E409()
  @E422()
  put(@Param('id') id: string, @Body() body: unknown, @Query() query: Q) { return this.apps.put(id, body, query); }

  @Patch(':id')
  @ApiOperation({ summary: 'Partially update an existing app' })
  @ID()
  @ApiBody({ schema: ref('AppDefinition') })
  @FORCE()
  @DEPLOYED()
  @E404()
  @E409()
  @E422()
  patch(@Param('id') id: string, @Body() body: unknown, @Query() query: Q) { return this.apps.patch(id, body, query); }

  @Delete(':id')
  @ApiOperation({ summary: 'Destroy an app', description: 'Stops all its tasks and drops all its versions. `force` defaults to true here.' })
  @ID()
  @FORCE()
  @DEPLOYED()
  @E404()
  delete(@Param('id') id: string, @Query() query: Q) { return this.apps.delete(id, query); }

  @Post(':id/restart')
  @ApiOperation({ summary: 'Rolling restart', description: 'Restarts every task, honouring the upgradeStrategy.' })
  @ID()
  @FORCE()
  @DEPLOYED()
  @E404()
  @E409()
  restart(@Param('id') id: string, @Query() query: Q) { return this.apps.restart(id, query); }

  @Get(':id/versions')
  @ApiOperation({ summary: "List an app's stored versions, newest first" })
  @ID()
  @ApiResponse({ status: 200, schema: ref('AppVersions') })
  @E404()
  versions(@Param('id') id: string) { return this.apps.versions(id); }

  @Get(':id/versions/:version')
  @ApiOperation({ summary: 'The app as it was at a stored version (bare definition)' })
  @ID()
  @ApiParam({ name: 'version', example: '2015-09-30T09:09:17.614Z' })
  @ApiResponse({ status: 200, schema: ref('AppDefinition') })
  @E404()
  version(@Param('id') id: string, @Param('version') version: string) { return this.apps.version(id, version); }
}
