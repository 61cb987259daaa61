namespace IsrProxy.Tests.Fixtures;

/// <summary>One Dockerfile instruction: its stage (0 for the first FROM), keyword (upper case) and arguments.</summary>
public sealed record DockerfileInstruction(int Stage, string Keyword, string Arguments);
