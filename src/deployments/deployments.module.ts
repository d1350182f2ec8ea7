import { Module } from '@nestjs/common';
import { ChangeService } from './change.service';
import { DeploymentsController } from './deployments.controller';
import { DeploymentsService } from './deployments.service';

@Module({
  controllers: [DeploymentsController],
  providers: [ChangeService, DeploymentsService],
  exports: [ChangeService],
})
export class DeploymentsModule {}
