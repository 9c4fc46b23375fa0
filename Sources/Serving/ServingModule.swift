// Placeholder; replaced as the target fills in.
enum ServingModule {}
