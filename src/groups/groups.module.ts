import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { GroupStore } from '../persistence/group-store';
import { GroupsController } from './groups.controller';
import { GroupsService } from './groups.service';

@Module({
  imports: [DeploymentsModule],
  controllers: [GroupsController],
  providers: [GroupStore, GroupsService],
})
export class GroupsModule {}
