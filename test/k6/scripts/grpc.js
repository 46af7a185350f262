import grpc from 'k6/net/grpc';
const client = new grpc.Client();
export default function () { client.connect('127.0.0.1:1'); }
