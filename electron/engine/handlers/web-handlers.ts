// Web mode (`errand serve`): one web server per engine, for as long as the connection that asked for it lasts.
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { Connection } from '../rpc/connection.js';
import type { Dispatcher } from '../rpc/dispatcher.js';
import { WebServer } from '../rpc/web-server.js';
import type { WebSocketAcceptor } from '../rpc/web-server.js';

export class WebHandlers {
  private serving: { server: WebServer; address: MethodResults['web.serve']; owner: number } | null = null;

  constructor(
    private readonly dispatcher: () => Dispatcher,
    private readonly acceptWebSocket: WebSocketAcceptor | null,
  ) {}

  async serve(p: MethodParams<'web.serve'>, connection: Connection): Promise<MethodResults['web.serve']> {
    if (this.serving) return this.serving.address;
    const server = new WebServer(this.dispatcher(), this.acceptWebSocket);
    const port = p?.port ?? 0;
    let address: MethodResults['web.serve'];
    try {
      address = await server.listen(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new ErrandError('conflict', `Port ${port} is in use. Pick another with --port, or leave it out for any free one.`);
      }
      throw error;
    }
    // Another request started serving meanwhile, or this client left while the port was being bound.
    const raced = this.current();
    if (raced || connection.isClosed) {
      await server.close();
      if (raced) return raced.address;
      throw new ErrandError('conflict', 'The client that asked for web mode has gone.');
    }
    this.serving = { server, address, owner: connection.id };
    return address;
  }

  private current(): typeof this.serving {
    return this.serving;
  }

  disconnected(connection: Connection): void {
    if (this.serving?.owner !== connection.id) return;
    void this.serving.server.close();
    this.serving = null;
  }
}
