// Names Docker Machine writes into its store (machines/NAME/config.json), as its own source spells them.

/** `DriverName` of a machine made with `docker-machine create -d none --url ...`: an engine and nothing else. */
export const DOCKER_MACHINE_NONE_DRIVER = 'none';
