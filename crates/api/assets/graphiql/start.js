// Mounts GraphiQL on this server's /graphql endpoint (subscriptions over
// /graphql/ws). A file, not an inline script: the page's CSP allows 'self' only.
(function () {
  var origin = window.location.origin;
  var ws = origin.replace(/^http/, "ws") + "/graphql/ws";
  var fetcher = GraphiQL.createFetcher({ url: origin + "/graphql", subscriptionUrl: ws });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }));
})();
