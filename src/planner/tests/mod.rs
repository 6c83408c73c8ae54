//! The planner's unit tests, by mode and topic.

mod alarm;
mod alias_members;
mod aws_limits;
mod boundary;
mod dedicated;
mod dedicated_apply;
mod draft_diff;
mod in_place;
mod kept;
mod log_group;
mod log_group_key;
mod moved_alias;
mod queries;
mod replicas;
mod round_trip;
mod take_over;

/// Test helper: an alias description with other conversation log settings.
pub(super) trait WithSettings {
    fn to_builder_with(
        self,
        settings: Option<aws_sdk_lexmodelsv2::types::ConversationLogSettings>,
    ) -> aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
}

impl WithSettings for aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput {
    fn to_builder_with(
        self,
        settings: Option<aws_sdk_lexmodelsv2::types::ConversationLogSettings>,
    ) -> Self {
        Self::builder()
            .set_bot_alias_id(self.bot_alias_id().map(str::to_string))
            .set_bot_alias_name(self.bot_alias_name().map(str::to_string))
            .set_bot_version(self.bot_version().map(str::to_string))
            .set_conversation_log_settings(settings)
            .build()
    }
}
