// Mounts GraphiQL on this server's own /graphql. Sign in with the `login` mutation, then put
// {"Authorization": "Bearer <token>"} in the Headers tab.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.origin).toString() });
  var example = [
    '# Sign in (demo accounts are printed when the demo county is loaded),',
    '# then set the Headers tab to {"Authorization": "Bearer <token>"}.',
    'mutation SignIn {',
    '  login(username: "admin", password: "") { token expiresAt }',
    '}',
    '',
    'query Projects {',
    '  projects(first: 5) { edges { node { name status health { light reasons } } } }',
    '}',
    ''
  ].join('\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: example, defaultEditorToolsVisibility: true })
  );
})();
