import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { AppsController } from './apps.controller';
import { AppsService } from './apps.service';

@Module({
  imports: [DeploymentsModule],
  controllers: [AppsController],
  providers: [AppsService],
})
export class AppsModule {}
