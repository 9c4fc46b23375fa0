// Placeholder until the job queue lands.
enum JobsModule {}
