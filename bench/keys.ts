// The credentials the bench's clients send: the upstream's key, and `serve`'s local one.
// In a module of their own so a proxy's process loads none of the clients.

export const KEY = "sk-proj-benchbenchbenchbenchbench";
export const LOCAL_KEY = "bench-local-key-0123456789abcdef";
