import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ref } from '../apps/dto/openapi-schemas';
import { DeploymentsService } from './deployments.service';

@ApiTags('deployments')
@Controller('v2/deployments')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Get()
  @ApiOperation({ summary: 'List running deployments', description: 'A deployment leaves this list when it is done.' })
  @ApiResponse({ status: 200, schema: { type: 'array', items: ref('DeploymentInfo') } })
  list() { return this.deployments.list(); }

  @Get(':id')
  @ApiOperation({
    summary: 'One deployment with its progress (Pacer)',
    description: 'Marathon has no such call. Per action of the running step: progress counts and the reasons it cannot progress (waiting for offers and why offers did not fit, backoff, unhealthy or unready new instances, old ones not terminating).',
  })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 200, schema: ref('DeploymentStatus') })
  @ApiResponse({ status: 404, schema: ref('Error') })
  get(@Param('id') id: string) { return this.deployments.get(id); }

  @Delete(':id')
  @ApiOperation({ summary: 'Cancel a deployment', description: 'Without force: roll back (deploys the original definitions; answers a new deployment). With force=true: just stop it (202).' })
  @ApiParam({ name: 'id' })
  @ApiQuery({ name: 'force', required: false, type: Boolean })
  @ApiResponse({ status: 200, description: 'Rollback deployment stored', schema: ref('DeploymentResult') })
  @ApiResponse({ status: 202, description: 'Cancelled without rollback' })
  @ApiResponse({ status: 404, schema: ref('Error') })
  cancel(@Param('id') id: string, @Query() query: Record<string, unknown>) { return this.deployments.cancel(id, query); }
}
