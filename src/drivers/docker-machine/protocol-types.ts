// The Go types Docker Machine's plugin RPC exchanges, as gob descriptors. Names are what Go's encoder writes for
// them (a top-level unnamed type such as struct{} or []string gets an empty name); interface values carry the
// names the plugin registered with gob.Register ("*mcnflag.StringFlag", "*rpcdriver.RPCFlags", "string", ...).
import type { GobStructType, GobType } from './gob/index.js';
import { gobBool, gobInt, gobInterface, gobMap, gobSlice, gobString, gobStruct, gobUint } from './gob/index.js';

/** net/rpc's request header. */
export const rpcRequest: GobStructType = gobStruct('Request', { ServiceMethod: gobString, Seq: gobUint });
/** net/rpc's response header; Error is empty on success. */
export const rpcResponse: GobStructType = gobStruct('Response', { ServiceMethod: gobString, Seq: gobUint, Error: gobString });
/** struct{}: the argument of every method without one, and the reply of those without one. */
export const emptyStruct: GobStructType = gobStruct('', {});

const flagCommon = { Name: gobString, Usage: gobString, EnvVar: gobString };
export const stringFlag: GobStructType = gobStruct('StringFlag', { ...flagCommon, Value: gobString });
export const intFlag: GobStructType = gobStruct('IntFlag', { ...flagCommon, Value: gobInt });
export const boolFlag: GobStructType = gobStruct('BoolFlag', flagCommon);
export const stringSliceFlag: GobStructType = gobStruct('StringSliceFlag', { ...flagCommon, Value: gobSlice('[]string', gobString) });
/** GetCreateFlags' reply: []mcnflag.Flag, a slice of interface values. */
export const flagList: GobType = gobSlice('', gobInterface);

/** SetConfigFromFlags' argument: a drivers.DriverOptions interface holding *rpcdriver.RPCFlags. */
export const rpcFlags: GobStructType = gobStruct('RPCFlags', { Values: gobMap('map[string]interface {}', gobString, gobInterface) });
/** A []string held in an interface (a string-slice flag's value). */
export const stringSliceInInterface: GobType = gobSlice('', gobString);

export const REGISTERED = {
  stringFlag: '*mcnflag.StringFlag',
  intFlag: '*mcnflag.IntFlag',
  boolFlag: '*mcnflag.BoolFlag',
  stringSliceFlag: '*mcnflag.StringSliceFlag',
  rpcFlags: '*rpcdriver.RPCFlags',
} as const;
