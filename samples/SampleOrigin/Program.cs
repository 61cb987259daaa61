using SampleOrigin;

await SampleSite.Build(args).RunAsync();
