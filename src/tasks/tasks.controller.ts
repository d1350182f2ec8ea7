import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ref } from '../apps/dto/openapi-schemas';
import { TasksService, type Query as Q } from './tasks.service';

const ID = () => ApiParam({ name: 'id', description: "App id path; nested ids may be written raw (`/v2/apps/prod/web/tasks`); `{group}/*` for every app below a group", example: 'prod/web' });
const KILL_QUERY = () =>
  applyDecorators(
    ApiQuery({ name: 'scale', required: false, type: Boolean, description: "true: also lower the app's instances by the killed tasks (answers a deployment); false (default): the tasks are relaunched" }),
    ApiQuery({ name: 'wipe', required: false, type: Boolean, description: 'true: decommission the instances (not relaunched, not replaced); not with scale' }),
    ApiQuery({ name: 'force', required: false, type: Boolean, description: 'scale=true only: override the lock of running deployments' }),
  );
const KILLED = (schema: string) => ApiResponse({ status: 200, description: `scale=false: the tasks as they were when the kill was asked (${schema}); scale=true: the deployment (DeploymentResult, header Marathon-Deployment-Id)`, schema: { oneOf: [ref(schema), ref('DeploymentResult')] } });
const E400 = () => ApiResponse({ status: 400, description: 'scale and wipe together, or a malformed task id', schema: ref('Error') });
const E409 = () => ApiResponse({ status: 409, description: 'scale=true while a deployment holds the app', schema: ref('LockedError') });
const E503 = () => ApiResponse({ status: 503, description: 'scale=false on a replica that does not run the scheduler', schema: ref('Error') });

@ApiTags('tasks')
@Controller('v2/apps')
export class AppTasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get(':id/tasks')
  @ApiOperation({ summary: "List an app's tasks", description: 'Launched instances only (an instance waiting for its first launch has no task).' })
  @ID()
  @ApiResponse({ status: 200, schema: ref('TaskList') })
  @ApiResponse({ status: 404, description: 'Unknown app', schema: ref('Error') })
  list(@Param('id') id: string) { return this.tasks.appTasks(id); }

  @Delete(':id/tasks')
  @ApiOperation({ summary: "Kill an app's tasks", description: 'Kills the active tasks of the app, or only those on agent `host`.' })
  @ID()
  @ApiQuery({ name: 'host', required: false, description: 'Agent hostname, or `*` for all' })
  @KILL_QUERY()
  @KILLED('TaskList')
  @E400()
  @ApiResponse({ status: 404, description: 'Unknown app', schema: ref('Error') })
  @E409()
  @E503()
  killAll(@Param('id') id: string, @Query() query: Q) { return this.tasks.killAppTasks(id, query); }

  @Delete(':id/tasks/:taskId')
  @ApiOperation({ summary: 'Kill one task of an app' })
  @ID()
  @ApiParam({ name: 'taskId', example: 'prod_web.instance-6f1c0b9e-2d8a-4c1e-9b7e-3f0a5d2c4b1a._app.1' })
  @KILL_QUERY()
  @KILLED('TaskSingle')
  @E400()
  @ApiResponse({ status: 404, description: 'Unknown app, or not a current task of the app', schema: ref('Error') })
  @E409()
  @E503()
  killOne(@Param('id') id: string, @Param('taskId') taskId: string, @Query() query: Q) { return this.tasks.killAppTask(id, taskId, query); }
}

@ApiTags('tasks')
@Controller('v2/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: 'List the tasks of every app' })
  @ApiQuery({ name: 'status', required: false, isArray: true, type: String, description: 'Only tasks in these conditions (`running`, `staging`, ...; case-insensitive; also `status[]`)' })
  @ApiResponse({ status: 200, schema: ref('TaskList') })
  list(@Query() query: Q) { return this.tasks.list(query); }

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Kill tasks of any apps', description: 'Ids of tasks that are not current are ignored.' })
  @ApiBody({ schema: ref('TaskIds') })
  @KILL_QUERY()
  @KILLED('TaskList')
  @E400()
  @E409()
  @E503()
  kill(@Body() body: unknown, @Query() query: Q) { return this.tasks.killMany(body, query); }
}
