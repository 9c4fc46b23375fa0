import Ingest

extension ServeConfiguration {
    /// Where the server's workspace lives: `data` (else `$LENSCALE_DATA`, else `./lenscale-data`),
    /// with the catalog and store moved out when configured.
    public var workspaceLocation: WorkspaceLocation {
        WorkspaceLocation(dataDirectory: WorkspaceLocation.dataDirectory(data), catalog: catalog, store: store)
    }
}
