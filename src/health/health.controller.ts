import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ref } from '../apps/dto/openapi-schemas';
import { HealthService } from './health.service';

@ApiTags('info')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'must-revalidate,no-cache,no-store')
  @ApiOperation({ summary: 'Liveness: answers pong locally, leader or not' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, schema: { type: 'string', example: 'pong' } })
  ping() { return 'pong'; }

  @Get('metrics')
  @ApiOperation({ summary: 'Metrics of this replica', description: 'Prometheus text, or JSON when the client accepts only JSON (as Marathon clients do).' })
  @ApiProduces('text/plain', 'application/json')
  metrics(@Headers('accept') accept?: string) { return this.health.metrics(accept); }

  @Get('metrics/prometheus')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: "Prometheus metrics (Marathon's path)" })
  @ApiProduces('text/plain')
  metricsPrometheus() { return this.health.metricsText(); }

  @Get('v2/info')
  @ApiOperation({ summary: 'Build, leadership and configuration' })
  @ApiResponse({ status: 200, schema: ref('Info') })
  info() { return this.health.info(); }

  @Get('v2/leader')
  @ApiOperation({ summary: 'The current leader' })
  @ApiResponse({ status: 200, schema: ref('Leader') })
  @ApiResponse({ status: 404, description: 'There is no leader', schema: ref('Error') })
  leader() { return this.health.leader(); }
}
