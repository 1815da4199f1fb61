import type { EtcdBackupS3 } from './etcd-backup';

export interface RestoreRunbookProps {
  readonly destination: string;
  readonly s3?: EtcdBackupS3;
  readonly etcdImage: string;
  readonly encryptionConfigPath?: string;
}

/**
 * The copy-paste runbook for restoring a kubeadm control plane (stacked etcd) from the newest
 * snapshot. It reuses the shipped drill script to fetch and prove the snapshot first.
 *
 * @see https://etcd.io/docs/v3.6/op-guide/recovery/
 * @see https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/#restoring-an-etcd-cluster
 */
export function restoreRunbook(p: RestoreRunbookProps): string {
  const s3Env = p.s3
    ? [
        `export AWS_REGION=${p.s3.region}`,
        ...(p.s3.endpoint ? [`export S3_ENDPOINT=${p.s3.endpoint}`] : []),
        'export AWS_ACCESS_KEY_ID=...        # from the secret store entry the etcd-backup-s3 ExternalSecret reads',
        'export AWS_SECRET_ACCESS_KEY=...',
      ]
    : [];
  const encryption = p.encryptionConfigPath
    ? `
## 5. Put back the encryption configuration the snapshot was taken with

Secrets in the snapshot are encrypted with the keys of that moment. If the keys were rotated
since, copy the saved configuration back on **every** control-plane node:

\`\`\`sh
cp /root/etcd-restore/"$SNAPSHOT".encryption-config.yaml ${p.encryptionConfigPath}
\`\`\`
`
    : '';
  return `# Restore the etcd of a kubeadm control plane

**TL;DR**: stop the API server and etcd on every control-plane node, restore the newest snapshot
from \`${p.destination}\` into a fresh \`/var/lib/etcd\` on each with \`etcdutl snapshot restore
--bump-revision 1000000000 --mark-compacted\`, and start them again. Everything written after
the snapshot is lost: restore only when etcd's data is gone or wrong, never for a single bad object.

Run every block as root. Steps 1-2 on one control-plane node, then steps 3-7 on **each**
control-plane node, with the same snapshot file.

## 1. Get the tools (etcd 3.6: \`etcdutl\` does the offline work)

\`\`\`sh
IMAGE=${p.etcdImage}
ctr -n k8s.io images pull "$IMAGE"
mkdir -p /tmp/etcd-image && ctr -n k8s.io images mount "$IMAGE" /tmp/etcd-image
cp /tmp/etcd-image/usr/local/bin/etcd /tmp/etcd-image/usr/local/bin/etcdctl /tmp/etcd-image/usr/local/bin/etcdutl /usr/local/bin/
ctr -n k8s.io images unmount /tmp/etcd-image
\`\`\`

## 2. Fetch the newest snapshot and prove it restores

The restore drill script downloads the snapshot \`latest\` names, checks its checksum, restores it
into a throwaway etcd and compares revision and key count. Get it from the repository
(\`gitplane config etcd-restore-drill --env ENV > etcd-restore-drill.sh\`, and
\`gitplane config etcd-backup-lib --env ENV > etcd-backup-lib.sh\` beside it), then:

\`\`\`sh
export BACKUP_DESTINATION=${p.destination}
${s3Env.join('\n')}${s3Env.length ? '\n' : ''}export DRILL_WORK_DIR=/root/etcd-restore
sh ./etcd-restore-drill.sh          # must end with "drill passed"
SNAPSHOT=$(cat /root/etcd-restore/latest)
etcdutl snapshot status /root/etcd-restore/"$SNAPSHOT".db -w table
\`\`\`

Copy \`/root/etcd-restore/\` to the other control-plane nodes (\`scp -r\`), and set \`SNAPSHOT\`
there the same way.

## 3. Stop the API server and etcd

\`\`\`sh
mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/
# wait until both are gone:
until [ -z "$(crictl ps -q --name 'etcd|kube-apiserver')" ]; do sleep 2; done
mv /var/lib/etcd /var/lib/etcd.before-restore
\`\`\`

## 4. Restore into a fresh data directory

\`NAME\` and \`IP\` are this node's etcd member name and address (in
\`/etc/kubernetes/etcd.yaml\`: \`--name\` and \`--initial-advertise-peer-urls\`); \`CLUSTER\` lists
**every** control-plane member and is the same on each node.

\`\`\`sh
NAME=$(hostname)
IP=$(sed -n 's|.*--initial-advertise-peer-urls=https://\\([^:]*\\):2380.*|\\1|p' /etc/kubernetes/etcd.yaml)
CLUSTER="cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380"   # edit
etcdutl snapshot restore /root/etcd-restore/"$SNAPSHOT".db \\
  --data-dir /var/lib/etcd \\
  --name "$NAME" \\
  --initial-cluster "$CLUSTER" \\
  --initial-cluster-token "etcd-restore-$SNAPSHOT" \\
  --initial-advertise-peer-urls "https://$IP:2380" \\
  --bump-revision 1000000000 --mark-compacted
\`\`\`

\`--bump-revision\` and \`--mark-compacted\` move revisions past anything a watcher has seen, so
controllers and kubelets drop their caches instead of missing changes.
${encryption}
## ${p.encryptionConfigPath ? 6 : 5}. Start etcd, then the API server

\`\`\`sh
mv /etc/kubernetes/etcd.yaml /etc/kubernetes/manifests/
until crictl ps --name etcd -q | grep -q .; do sleep 2; done
mv /etc/kubernetes/kube-apiserver.yaml /etc/kubernetes/manifests/
\`\`\`

## ${p.encryptionConfigPath ? 7 : 6}. Check

\`\`\`sh
ETCDCTL_CACERT=/etc/kubernetes/pki/etcd/ca.crt ETCDCTL_CERT=/etc/kubernetes/pki/etcd/healthcheck-client.crt \\
ETCDCTL_KEY=/etc/kubernetes/pki/etcd/healthcheck-client.key \\
  etcdctl --endpoints https://127.0.0.1:2379 endpoint status --cluster -w table
kubectl get nodes
kubectl -n kube-system delete pod -l tier=control-plane   # controller-manager and scheduler re-list
systemctl restart kubelet                                  # on every node
\`\`\`

When the cluster is healthy, remove \`/var/lib/etcd.before-restore\` and trigger a backup:
\`kubectl -n etcd-backup create job --from=cronjob/etcd-backup etcd-backup-after-restore\`.

## Escalation

If etcd does not form a quorum after the restore, stop it on every node, restore again with the
same \`--initial-cluster-token\` and \`CLUSTER\` everywhere, and start the nodes together. Escalate
to the platform team with \`crictl logs\` of the etcd container.
`;
}
