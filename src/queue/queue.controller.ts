import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ref } from '../apps/dto/openapi-schemas';
import { QueueService } from './queue.service';

const E503 = () => ApiResponse({ status: 503, description: 'This replica does not run the scheduler', schema: ref('Error') });

@ApiTags('queue')
@Controller('v2/queue')
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  @Get()
  @ApiOperation({ summary: 'Instances waiting to be launched', description: 'One item per app version with instances left to launch, with its launch delay and what recent offers lacked.' })
  @ApiQuery({ name: 'embed', required: false, isArray: true, type: String, description: '`lastUnusedOffers`: the last offers that could not be used, with reasons' })
  @ApiResponse({ status: 200, schema: ref('Queue') })
  @E503()
  list(@Query() query: Record<string, unknown>) { return this.queue.list(query); }

  @Delete(':id/delay')
  @ApiOperation({ summary: "Reset an app's launch delay", description: 'Its waiting instances may launch on the next offers.' })
  @ApiParam({ name: 'id', description: 'App id path; nested ids may be written raw (`/v2/queue/prod/web/delay`)', example: 'prod/web' })
  @ApiResponse({ status: 204, description: 'Delay reset' })
  @ApiResponse({ status: 404, description: 'Nothing of the app waits to be launched', schema: ref('Error') })
  @E503()
  resetDelay(@Param('id') id: string) { return this.queue.resetDelay(id); }
}
